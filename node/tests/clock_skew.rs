//! Clocks that disagree between real `steunpuntd` processes, set with libfaketime (the
//! `faketime` package; without it the test says so and passes). Two nodes five minutes
//! apart converge both ways; a record dated an hour ahead is refused with a log line
//! that names the clock, and taken once the clocks agree.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::Path;
use std::time::Duration;

use steunpunt_api::Draft;
use steunpunt_protocol::Kind;
use steunpunt_testkit::{
    Daemon, clock_ahead, eventually, eventually_within, peer_both, titles_of, vacancy,
};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

/// Starts the node of `dir` with its wall clock `offset` ahead.
fn start_off_by(dir: &Path, offset: &'static str) -> Daemon {
    let env = clock_ahead(offset).expect("libfaketime was found at the start");
    Daemon::start_with_env(Path::new(DAEMON), dir, &env)
}

fn publish(node: &Daemon, id: &str, title: &str) {
    let mut draft: Draft = vacancy(title, "Breda", "4811");
    draft.insert("id".into(), id.into());
    node.api.publish(Kind::Vacancy, &draft, false).unwrap();
}

fn now_ms() -> u64 {
    steunpunt_node::clock::now().0
}

#[test]
fn clocks_apart_converge_and_a_record_from_the_future_waits_for_the_clocks() {
    if clock_ahead("+0").is_none() {
        eprintln!("skipped: libfaketime is not installed (apt-get install faketime)");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let steunpuntd = Path::new(DAEMON);
    let a_dir = steunpunt_testkit::init(steunpuntd, root.path(), "Steunpunt Breda", "Breda");
    let b_dir = steunpunt_testkit::init(steunpuntd, root.path(), "Steunpunt Oss", "Oss");
    let mut a = Daemon::start(steunpuntd, &a_dir);
    let mut b = start_off_by(&b_dir, "+300");
    peer_both(&a.api, &b.api);
    let (a_id, b_id) = (
        a.api.status().unwrap().steunpunt_id.to_string(),
        b.api.status().unwrap().steunpunt_id.to_string(),
    );
    for n in 0..3 {
        publish(&a, &format!("a-{n}"), &format!("Vrijwilliger Breda {n}"));
        publish(&b, &format!("b-{n}"), &format!("Vrijwilliger Oss {n}"));
    }
    eventually("both nodes to hold all six vacancies", || {
        [&a, &b].iter().all(|node| {
            titles_of(&node.api, &a_id).len() == 3 && titles_of(&node.api, &b_id).len() == 3
        })
    });
    // B's clock really is five minutes ahead: its records say so.
    let b_record = steunpunt_testkit::vacancies_of(&a.api, &b_id).remove(0);
    let ahead = b_record.updated_at.0.saturating_sub(now_ms());
    assert!(
        ahead > 240_000,
        "B's record is {ahead} ms ahead, not about five minutes"
    );

    // B an hour ahead: A refuses its new record and says it is the clock.
    b.stop();
    let mut b = start_off_by(&b_dir, "+3600");
    // A restarted node listens on a new port (port 0 in tests): tell each the other's.
    peer_both(&a.api, &b.api);
    publish(&b, "later", "Vrijwilliger van later");
    eventually_within(
        "A to name the clock in its log",
        Duration::from_secs(60),
        Duration::from_millis(200),
        || {
            std::fs::read_to_string(a_dir.with_extension("log"))
                .unwrap_or_default()
                .contains("ahead of this node's clock")
        },
    );
    assert!(
        !titles_of(&a.api, &b_id).contains(&"Vrijwilliger van later".to_owned()),
        "a record an hour ahead of A's clock was taken"
    );

    // A's clock set to agree: the record comes by sync.
    a.stop();
    let a = start_off_by(&a_dir, "+3600");
    peer_both(&a.api, &b.api);
    eventually_within(
        "A to take the record once the clocks agree",
        Duration::from_secs(60),
        Duration::from_millis(200),
        || titles_of(&a.api, &b_id).contains(&"Vrijwilliger van later".to_owned()),
    );
    b.stop();
}
