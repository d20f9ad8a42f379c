//! Erasure that reaches the disk, checked by searching the bytes. Three `steunpuntd`
//! processes peered as a chain A–B–C; A publishes vacancies and a partner organisation
//! with a unique marker in every personal field (contact person, e-mail, phone, and a
//! name in the description). After replication A withdraws some, updates one with a new
//! contact, and lets one expire (the nodes restarted with their clocks four days ahead,
//! with libfaketime; without it that part says it skipped). After a clean stop no file
//! under any node's data directory holds a marker of a withdrawn, expired or replaced
//! record, and every node still holds the markers of the live ones. The logs, written at
//! trace level, hold no marker of any record, no search words, no API token and no key;
//! a backup holds none of the records.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::{Path, PathBuf};

use serde_json::json;
use steunpunt_api::{Client, ListQuery, SearchQuery};
use steunpunt_protocol::Kind;
use steunpunt_testkit::{
    Daemon, clock_ahead, draft, eventually, files_containing, holds, peer_both, run_on,
};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

/// The personal fields of one record, each a string found nowhere else.
struct Markers {
    person: String,
    email: String,
    phone: String,
    named: String,
}

impl Markers {
    fn new(tag: &str, n: u32) -> Self {
        Self {
            person: format!("Kwzx{tag}persoon"),
            email: format!("{tag}.kwzx@voorbeeld.nl"),
            phone: format!("06-3900{n:04}"),
            named: format!("Kwzx{tag}genoemd"),
        }
    }

    fn all(&self) -> [&str; 4] {
        [&self.person, &self.email, &self.phone, &self.named]
    }

    fn contact(&self) -> serde_json::Value {
        json!({ "person": self.person, "email": self.email, "phone": self.phone })
    }
}

fn vacancy(id: &str, m: &Markers, valid_until: Option<&str>) -> steunpunt_api::Draft {
    let mut fields = json!({
        "id": id,
        "title": "Gastvrouw of gastheer in het buurthuis",
        "description": format!("Vraag naar {} voor een kennismaking.", m.named),
        "organisation": { "name": "Buurthuis De Brug" },
        "categories": ["buurt-wonen"],
        "engagement": "structureel",
        "location": { "municipality": "Breda", "pc4": "4811" },
        "contact": m.contact(),
    });
    if let Some(until) = valid_until {
        fields["valid_until"] = json!(until);
    }
    draft(fields)
}

fn organisation(id: &str, m: &Markers) -> steunpunt_api::Draft {
    draft(json!({
        "id": id,
        "name": "Taalhuis Breda",
        "kind": "vrijwilligersorganisatie",
        "description": format!("Contactpersoon is {}.", m.named),
        "contact": m.contact(),
        "location": { "municipality": "Breda", "pc4": "4811" },
    }))
}

fn start(dir: &Path, env: &[(&str, &str)]) -> Daemon {
    let mut all = vec![("RUST_LOG", "trace")];
    all.extend_from_slice(env);
    Daemon::start_with_env(Path::new(DAEMON), dir, &all)
}

fn ids(api: &Client, kind: Kind, author: &str) -> Vec<String> {
    api.records_where(kind, &ListQuery::default(), |r| {
        r.author.to_string() == author
    })
    .unwrap()
    .into_iter()
    .map(|r| r.id.to_string())
    .collect()
}

/// Checks the logs of the last run: no marker of any record, no token, no key.
fn check_logs(dirs: &[PathBuf], markers: &[&str]) {
    for dir in dirs {
        let log = dir.with_extension("log");
        let text = std::fs::read(&log).unwrap();
        assert!(
            holds(&text, "TRACE"),
            "{} was written at trace level",
            log.display()
        );
        let mut secrets: Vec<String> = markers.iter().map(|m| (*m).to_owned()).collect();
        for file in ["api.token", "steunpunt.key", "node.key"] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            secrets.push(String::from_utf8_lossy(&bytes).trim().to_owned());
        }
        for secret in secrets.iter().filter(|s| s.len() >= 8) {
            assert!(!holds(&text, secret), "{} holds {secret:?}", log.display());
        }
    }
}

#[test]
fn withdrawn_expired_and_replaced_records_leave_no_byte_on_any_disk() {
    let root = tempfile::tempdir().unwrap();
    let steunpuntd = Path::new(DAEMON);
    let dirs: Vec<PathBuf> = [
        ("Steunpunt Breda", "Breda"),
        ("Steunpunt Tilburg", "Tilburg"),
        ("Steunpunt Oss", "Oss"),
    ]
    .iter()
    .map(|(name, place)| steunpunt_testkit::init(steunpuntd, root.path(), name, place))
    .collect();
    let mut nodes: Vec<Daemon> = dirs.iter().map(|d| start(d, &[])).collect();
    peer_both(&nodes[0].api, &nodes[1].api);
    peer_both(&nodes[1].api, &nodes[2].api);
    let author = nodes[0].api.status().unwrap().steunpunt_id.to_string();

    let live = Markers::new("blijft", 1);
    let withdrawn = Markers::new("ingetrokken", 2);
    let before = Markers::new("oudcontact", 3);
    let after = Markers::new("nieuwcontact", 4);
    let expiring = Markers::new("verlopen", 5);
    let partner = Markers::new("partner", 6);
    let tomorrow = {
        let in_a_day = steunpunt_node::clock::now().plus_ms(86_400_000).to_string();
        in_a_day[..10].to_owned()
    };
    let a = &nodes[0].api;
    for (id, m, until) in [
        ("blijft", &live, None),
        ("ingetrokken", &withdrawn, None),
        ("bijgewerkt", &before, None),
        ("verloopt", &expiring, Some(tomorrow.as_str())),
    ] {
        a.publish(Kind::Vacancy, &vacancy(id, m, until), false)
            .unwrap();
    }
    a.publish(
        Kind::Organisation,
        &organisation("taalhuis", &partner),
        false,
    )
    .unwrap();
    eventually("every vacancy and the partner on C", || {
        ids(&nodes[2].api, Kind::Vacancy, &author).len() == 4
            && ids(&nodes[2].api, Kind::Organisation, &author).len() == 1
    });
    for dir in &dirs {
        for marker in withdrawn.all() {
            assert!(
                !files_containing(dir, marker).is_empty(),
                "{marker} reached {} before the withdrawal",
                dir.display()
            );
        }
    }

    a.publish(Kind::Vacancy, &vacancy("bijgewerkt", &after, None), false)
        .unwrap();
    a.withdraw(Kind::Vacancy, "ingetrokken").unwrap();
    a.withdraw(Kind::Organisation, "taalhuis").unwrap();
    eventually("the withdrawals and the update on C", || {
        let c = &nodes[2].api;
        let updated = c
            .records_where(Kind::Vacancy, &ListQuery::default(), |r| {
                r.id.to_string() == "bijgewerkt"
            })
            .unwrap();
        ids(c, Kind::Vacancy, &author).len() == 3
            && ids(c, Kind::Organisation, &author).is_empty()
            && updated.iter().any(|r| r.revision == 2)
    });
    // What staff search for is not kept either.
    let query = "kwzxzoekwoord";
    nodes[2]
        .api
        .search(
            Kind::Vacancy,
            &SearchQuery {
                q: Some(query.into()),
                ..SearchQuery::default()
            },
        )
        .unwrap();
    let mut every_marker: Vec<&str> = [&live, &withdrawn, &before, &after, &expiring, &partner]
        .iter()
        .flat_map(|m| m.all())
        .collect();
    every_marker.push(query);
    for node in &mut nodes {
        node.stop();
    }
    check_logs(&dirs, &every_marker);
    // A backup holds keys, settings and neighbours: no record, ours or another centre's.
    for dir in &dirs {
        let backup = dir.with_extension("backup.tar");
        run_on(
            Path::new(DAEMON),
            dir,
            &["backup", backup.to_str().unwrap()],
        );
        let bytes = std::fs::read(&backup).unwrap();
        for marker in &every_marker {
            assert!(
                !holds(&bytes, marker),
                "the backup of {} holds {marker}",
                dir.display()
            );
        }
    }
    let mut gone: Vec<&Markers> = vec![&withdrawn, &before, &partner];
    let mut kept: Vec<&Markers> = vec![&live, &after, &expiring];

    // Four days later the vacancy valid until tomorrow has expired on every node.
    match clock_ahead("+4d") {
        Some(later) => {
            let mut nodes: Vec<Daemon> = dirs.iter().map(|d| start(d, &later)).collect();
            for node in &nodes {
                eventually("the expired vacancy to be dropped", || {
                    !ids(&node.api, Kind::Vacancy, &author).contains(&"verloopt".to_owned())
                });
            }
            for node in &mut nodes {
                node.stop();
            }
            check_logs(&dirs, &every_marker);
            kept.retain(|m| m.person != expiring.person);
            gone.push(&expiring);
        }
        None => eprintln!(
            "expiry part skipped: libfaketime is not installed (apt-get install faketime)"
        ),
    }

    for dir in &dirs {
        for m in &gone {
            for marker in m.all() {
                let found = files_containing(dir, marker);
                assert!(found.is_empty(), "{marker} is still on disk: {found:?}");
            }
        }
        for m in &kept {
            for marker in m.all() {
                assert!(
                    !files_containing(dir, marker).is_empty(),
                    "{marker} of a live record is in {}",
                    dir.display()
                );
            }
        }
    }
}

/// The half-hourly pass erases while the node runs: the replicator's `Erase` timer, on
/// the engine and store the daemon uses.
#[test]
fn the_erase_timer_erases_while_the_node_runs() {
    use steunpunt_node::replication::{
        Draft, Engine, EngineConfig, Input, Policy, Replicator, Timer,
    };
    use steunpunt_node::store::{SledStore, Store};
    use steunpunt_protocol::testing::{key, vacancy};
    use steunpunt_protocol::{Body, RecordId};

    let root = tempfile::tempdir().unwrap();
    let now = steunpunt_node::clock::now();
    let engine = Engine::open(
        SledStore::open(&root.path().join("db")).unwrap(),
        key(1),
        EngineConfig::default(),
        now,
    )
    .unwrap();
    let mut replicator: Replicator<SledStore, libp2p::PeerId> =
        Replicator::new(engine, Policy::default(), 1);
    replicator.start();
    let mut body = vacancy();
    body.contact.person = Some("Kwzxtimerpersoon".into());
    let draft = Draft {
        kind: Kind::Vacancy,
        id: RecordId::new("timer").unwrap(),
        id_from_title: false,
        body: Body::Vacancy(body),
        valid_until: None,
    };
    replicator.publish_draft(draft, false, now).unwrap();
    replicator
        .withdraw(Kind::Vacancy, RecordId::new("timer").unwrap(), now)
        .unwrap();
    assert!(replicator.engine().store().erasure_due());
    assert!(!files_containing(root.path(), "Kwzxtimerpersoon").is_empty());
    replicator.handle(Input::Timer(Timer::Erase), now);
    assert!(!replicator.engine().store().erasure_due());
    assert!(files_containing(root.path(), "Kwzxtimerpersoon").is_empty());
    // The pass comes back every half hour.
    let again = replicator.drain().any(|o| {
        matches!(
            o,
            steunpunt_node::replication::Output::Schedule {
                after_ms: 1_800_000,
                timer: Timer::Erase
            }
        )
    });
    assert!(again);
}
