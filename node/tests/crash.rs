//! Nothing acknowledged is ever lost: a child process publishes records into a sled store
//! and reports each acknowledgement; it is killed with SIGKILL at varying moments, over and
//! over, and after each kill the store must reopen with every acknowledged record in it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use steunpunt_node::replication::{Engine, EngineConfig};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::testing::{self, T0, in_30_days, key};
use steunpunt_protocol::{Body, Kind, RecordId, RecordKey};

const WRITER_DIR: &str = "STEUNPUNT_CRASH_TEST_WRITER_DIR";
const KILLS: u64 = 12;

fn open(dir: &std::path::Path) -> Engine<SledStore> {
    Engine::open(
        SledStore::open(dir).unwrap(),
        key(1),
        EngineConfig::default(),
        T0,
    )
    .unwrap()
}

/// The writer. In a normal test run it returns at once; the crash test runs it in a child
/// process with `WRITER_DIR` set.
#[test]
fn crash_writer_child() {
    let Ok(dir) = std::env::var(WRITER_DIR) else {
        return;
    };
    let mut engine = open(std::path::Path::new(&dir));
    let start = Instant::now();
    let mut stdout = std::io::stdout().lock();
    let mut n: u64 = engine.counters().published;
    while start.elapsed() < Duration::from_secs(20) {
        n += 1;
        // 40 records, each revised again and again; every fifth write is a withdrawal.
        let id = RecordId::new(format!("vacature-{}", n % 40)).unwrap();
        let now = T0.plus_ms(n);
        let held = engine.own_payload(Kind::Vacancy, &id).unwrap();
        let record = if n.is_multiple_of(5) && held.as_ref().is_some_and(|p| !p.is_withdrawal()) {
            engine.withdraw(Kind::Vacancy, id.clone(), now).unwrap()
        } else {
            let mut v = testing::vacancy();
            v.title = format!("Vacature {n}");
            engine
                .publish(
                    Kind::Vacancy,
                    id.clone(),
                    Body::Vacancy(v),
                    in_30_days(),
                    now,
                )
                .unwrap()
        };
        // The acknowledgement: only printed once publish returned (durable).
        writeln!(stdout, "ack {} {}", id, record.payload().revision).unwrap();
        stdout.flush().unwrap();
    }
}

#[test]
fn acknowledged_records_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    let mut total_acks = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "crash_writer_child",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WRITER_DIR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|line| {
                    let mut parts = line.strip_prefix("ack ")?.split(' ');
                    Some((parts.next()?.to_owned(), parts.next()?.parse::<u64>().ok()?))
                })
                .collect::<Vec<_>>()
        });
        // Kill at a different moment each round: 150 ms to 1.2 s into the run.
        std::thread::sleep(Duration::from_millis(150 + (round * 97) % 1050));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        total_acks += acks.len();
        for (id, revision) in acks {
            let entry = acked.entry(id).or_default();
            *entry = (*entry).max(revision);
        }

        let engine = open(dir.path());
        for (id, revision) in &acked {
            let key = RecordKey {
                author: engine.me(),
                kind: Kind::Vacancy,
                id: RecordId::new(id.clone()).unwrap(),
            };
            let held = engine.get(&key).unwrap().map(|r| r.payload().revision);
            assert!(
                held.is_some_and(|h| h >= *revision),
                "round {round}: {id} revision {revision} was acknowledged, store has {held:?}"
            );
        }
    }
    assert!(total_acks > 0, "the writer never acknowledged anything");
    eprintln!(
        "{KILLS} kills, {total_acks} acknowledged writes, {} records, none lost",
        acked.len()
    );
}
