//! A crash loop: a real `steunpuntd` killed with SIGKILL at random moments, 25 times
//! while staff publish and 25 times while it fills up from a neighbour. Every restart
//! must open the store, no acknowledged record may ever be missing, and the cold sync
//! must finish in the end.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use steunpunt_node::data_dir::DataDir;
use steunpunt_node::replication::{Engine, EngineConfig};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, RecordId, testing};
use steunpunt_testkit::{Daemon, eventually, titles_of, vacancy};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");
const KILLS: u64 = 25;

/// Pseudo-random waits, the same in every run: 20 to 620 ms.
fn waits() -> impl Iterator<Item = Duration> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    std::iter::from_fn(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Some(Duration::from_millis(20 + x % 600))
    })
}

#[test]
fn kill_9_while_staff_publish_loses_nothing_acknowledged() {
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Zeist", "Zeist");
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut me = String::new();
    for (round, wait) in waits().take(KILLS as usize).enumerate() {
        // Started afresh after every kill -9: it must open its store every time.
        let mut node = Daemon::start(Path::new(DAEMON), &dir);
        let api = node.api.clone();
        me = api.status().unwrap().steunpunt_id.to_string();
        let held = titles_of(&api, &me);
        for title in acknowledged.lock().unwrap().iter() {
            assert!(
                held.contains(title),
                "round {round}: acknowledged {title} is missing"
            );
        }
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let title = format!("Ronde {round} vacature {n}");
                    match api.publish(Kind::Vacancy, &vacancy(&title, "Zeist", "3701"), false) {
                        Ok(_) => acknowledged.lock().unwrap().push(title),
                        Err(_) => break,
                    }
                }
            })
        };
        std::thread::sleep(wait);
        node.kill_9();
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
    }
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let held = titles_of(&node.api, &me);
    let acknowledged = acknowledged.lock().unwrap();
    let missing: Vec<&String> = acknowledged.iter().filter(|t| !held.contains(t)).collect();
    println!(
        "{KILLS} kill -9s while publishing: {} publishes acknowledged, {} missing",
        acknowledged.len(),
        missing.len()
    );
    assert!(missing.is_empty(), "{missing:?}");
    node.stop();
}

#[test]
fn kill_9_during_a_cold_sync_resumes_until_everything_is_there() {
    const RECORDS: usize = 3000;
    let root = tempfile::tempdir().unwrap();
    let breda = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Breda", "Breda");
    let tilburg = steunpunt_testkit::init(
        Path::new(DAEMON),
        root.path(),
        "Steunpunt Tilburg",
        "Tilburg",
    );
    // Breda holds many vacancies before it starts, signed with its own key.
    {
        let data_dir = DataDir::resolve(Some(breda.clone())).unwrap();
        let key = data_dir.open().unwrap().steunpunt_key;
        let now = steunpunt_node::clock::now();
        let store = SledStore::open(&data_dir.db_path()).unwrap();
        let mut engine = Engine::open(store, key, EngineConfig::default(), now).unwrap();
        for n in 0..RECORDS {
            let mut body = testing::vacancy();
            body.title = format!("Vacature {n}");
            engine
                .publish(
                    Kind::Vacancy,
                    RecordId::new(format!("v{n}")).unwrap(),
                    Body::Vacancy(body),
                    now.plus_ms(30 * DAY_MS),
                    now,
                )
                .unwrap();
        }
        engine.close().unwrap();
    }
    let a = Daemon::start(Path::new(DAEMON), &breda);
    let mut b = Daemon::start(Path::new(DAEMON), &tilburg);
    steunpunt_testkit::peer_both(&a.api, &b.api);
    b.stop();
    let mut seen = Vec::new();
    for wait in waits().take(KILLS as usize) {
        let mut b = Daemon::start(Path::new(DAEMON), &tilburg);
        seen.push(b.api.status().unwrap().record_counts.vacancy);
        std::thread::sleep(wait);
        b.kill_9();
    }
    let b = Daemon::start(Path::new(DAEMON), &tilburg);
    eventually("Tilburg to hold all of Breda's vacancies", || {
        b.api.status().unwrap().record_counts.vacancy == RECORDS as u64
    });
    println!(
        "{KILLS} kill -9s during a cold sync of {RECORDS}: held at each restart {seen:?}; all there in the end"
    );
}
