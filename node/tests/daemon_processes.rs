//! Real `steunpuntd` processes on loopback, driven over their HTTP API: two peered nodes
//! replicate vacancies both ways, a third node that neither trusts cannot connect, the
//! API refuses requests without the token, and a restarted node keeps everything.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use steunpunt_api::{Client, ClientError, ListQuery};
use steunpunt_protocol::Kind;
use steunpunt_testkit::{Daemon, eventually, peer_with, vacancies_of, vacancy};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

fn init(root: &Path, name: &str, municipality: &str) -> std::path::PathBuf {
    steunpunt_testkit::init(Path::new(DAEMON), root, name, municipality)
}

fn start(dir: &Path) -> Daemon {
    Daemon::start(Path::new(DAEMON), dir)
}

fn vacancy_titles(api: &Client) -> Vec<String> {
    api.records(Kind::Vacancy, &ListQuery::default())
        .unwrap()
        .records
        .iter()
        .filter_map(|r| r.title().map(str::to_owned))
        .collect()
}

fn connected(api: &Client) -> usize {
    api.status().unwrap().peers.len()
}

#[test]
fn peered_daemons_replicate_both_ways_and_a_stranger_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let a_dir = init(root.path(), "Steunpunt Breda", "Breda");
    let b_dir = init(root.path(), "Steunpunt Tilburg", "Tilburg");
    let c_dir = init(root.path(), "Onbekend Steunpunt", "Elders");
    let a = start(&a_dir);
    let mut b = start(&b_dir);
    let c = start(&c_dir);

    // The API wants the token.
    let anonymous = ureq::get(format!("{}/v1/status", a.api.base())).call();
    assert!(
        matches!(anonymous, Err(ureq::Error::StatusCode(401))),
        "{anonymous:?}"
    );
    let addr = a.api.base().trim_start_matches("http://").to_owned();
    let wrong = Client::new(&addr, "nope", &a.dir).status();
    assert!(
        matches!(wrong, Err(ClientError::Unauthorized(_))),
        "{wrong:?}"
    );

    // Breda and Tilburg peer with each other; the stranger only dials Breda.
    peer_with(&a.api, &b.api, "buren");
    peer_with(&b.api, &a.api, "buren");
    peer_with(&c.api, &a.api, "buren");
    eventually("Breda and Tilburg to connect", || connected(&a.api) == 1);

    let draft = vacancy("Voorlezen in Breda", "Breda", "4811");
    a.api.publish(Kind::Vacancy, &draft, false).unwrap();
    let to_tilburg = eventually("the Breda vacancy in Tilburg", || {
        vacancy_titles(&b.api).contains(&"Voorlezen in Breda".to_owned())
    });
    let draft = vacancy("Taalmaatje in Tilburg", "Tilburg", "5011");
    b.api.publish(Kind::Vacancy, &draft, false).unwrap();
    let to_breda = eventually("the Tilburg vacancy in Breda", || {
        vacancy_titles(&a.api).contains(&"Taalmaatje in Tilburg".to_owned())
    });
    eprintln!("replication: Breda→Tilburg {to_tilburg:?}, Tilburg→Breda {to_breda:?}");

    // The stranger is refused: no connection, no records.
    let c_peer = c.api.status().unwrap().peer_id;
    std::thread::sleep(Duration::from_secs(2));
    let c_status = c.api.status().unwrap();
    assert!(
        c_status.peers.is_empty(),
        "the stranger got connected: {c_status:?}"
    );
    assert!(
        !a.api
            .status()
            .unwrap()
            .peers
            .iter()
            .any(|p| p.peer_id == c_peer)
    );
    assert!(vacancy_titles(&c.api).is_empty());

    // The OpenAPI document is served without a token and describes the routes.
    let doc: Value = ureq::get(format!("{}/v1/openapi.json", a.api.base()))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    for path in [
        "/v1/status",
        "/v1/peers",
        "/v1/records/{kind}",
        "/v1/records/{kind}/{id}",
        "/v1/search/{kind}",
        "/v1/export",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["Vacancy"]["properties"]["mas"].is_object());
    // What the server enforces is in the document: vocabularies, kinds in paths.
    let categories = &doc["components"]["schemas"]["Vacancy"]["properties"]["categories"];
    assert!(
        categories["items"]["enum"]
            .as_array()
            .is_some_and(|terms| terms.iter().any(|t| t == "onderwijs-school")),
        "{categories}"
    );
    let parameters = &doc["paths"]["/v1/search/{kind}"]["get"]["parameters"];
    let kind = parameters
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kind")
        .unwrap();
    assert_eq!(
        kind["schema"]["enum"],
        serde_json::json!(["vacancy", "vacancies", "organisation", "organisations"])
    );
    // Every operation documents its error answers with the one error body.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let unauthorized = &operation["responses"]["401"]["content"]["application/json"];
            assert_eq!(
                unauthorized["schema"]["$ref"], "#/components/schemas/ErrorBody",
                "{method} {path}"
            );
        }
    }

    // Every success answer has a schema, and it is not empty.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                let schema = &response["content"]["application/json"]["schema"];
                let named = schema["$ref"].as_str().unwrap_or_default();
                assert!(
                    named.starts_with("#/components/schemas/")
                        && doc["components"]["schemas"][&named[21..]].is_object(),
                    "{method} {path} {status}: {schema}"
                );
            }
        }
    }

    // Bodies that cannot be read answer with the same JSON error body, never plain text.
    let token = std::fs::read_to_string(a.dir.join("api.token")).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let send = |content_type: &str, body: &str| {
        // The node may answer 413 and close before a large body is fully sent; the
        // client then sees the connection reset instead of the answer. Try again.
        let mut attempts = 0;
        let mut response = loop {
            let sent = agent
                .post(format!("{}/v1/records/vacancies", a.api.base()))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", content_type)
                .send(body);
            attempts += 1;
            match sent {
                Err(ureq::Error::Io(e)) if attempts < 5 => eprintln!("retrying: {e}"),
                other => break other.unwrap(),
            }
        };
        let status = response.status().as_u16();
        let body: Value = response.body_mut().read_json().unwrap();
        (
            status,
            body["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    assert_eq!(send("text/plain", "{}"), (415, "not_json".to_owned()));
    assert_eq!(
        send("application/json", "{kapot"),
        (400, "invalid_json".to_owned())
    );
    assert_eq!(
        send("application/json", &"x".repeat(300 * 1024)),
        (413, "body_too_large".to_owned())
    );

    // Metrics are served.
    let metrics = ureq::get(format!("{}/metrics", a.api.base()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(
        metrics.contains("steunpunt_ingest_total{outcome=\"accepted\"}"),
        "{metrics}"
    );

    // A restarted node keeps everything and reconnects.
    b.stop();
    let b = start(&b_dir);
    let titles = vacancy_titles(&b.api);
    assert!(
        titles.contains(&"Voorlezen in Breda".to_owned())
            && titles.contains(&"Taalmaatje in Tilburg".to_owned())
    );
    eventually("Tilburg to reconnect", || connected(&b.api) == 1);
}

/// Runs steunpuntd expecting it to fail at start; returns its error output.
fn start_failure(dir: &Path, extra: &[&str]) -> String {
    let out = Command::new(DAEMON)
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(extra)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "steunpuntd started but should not have"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn start_errors_tell_the_admin_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let missing = start_failure(&root.path().join("nothing-here"), &[]);
    assert!(missing.contains("init --name"), "{missing}");

    let dir = init(root.path(), "Steunpunt Helmond", "Helmond");
    let running = start(&dir);
    // A second daemon on the same data directory.
    let twice = start_failure(&dir, &["--api", "127.0.0.1:0"]);
    assert!(twice.contains("in use by another steunpuntd"), "{twice}");
    // Another data directory whose API port is taken.
    let other = init(root.path(), "Steunpunt Eindhoven", "Eindhoven");
    let taken = running.api.base().trim_start_matches("http://").to_owned();
    let port = start_failure(&other, &["--api", &taken]);
    assert!(
        port.contains(&format!("API address {taken} is already in use")),
        "{port}"
    );
    // A damaged configuration names the problem and the line.
    std::fs::write(
        other.join("config.toml"),
        "[steunpunt]\nname = \"x\"\nbogus = 1\n",
    )
    .unwrap();
    let config = start_failure(&other, &[]);
    assert!(
        config.contains("config.toml is not a valid configuration") && config.contains("bogus"),
        "{config}"
    );
}

/// A first start logs nothing alarming; an API token that other users could read is
/// replaced at start by a new one, readable by its owner only, and the old one no longer
/// opens the API.
#[test]
fn an_exposed_api_token_is_replaced() {
    use std::os::unix::fs::PermissionsExt as _;
    let root = tempfile::tempdir().unwrap();
    let dir = init(root.path(), "Steunpunt Oss", "Oss");
    let mut running = start(&dir);
    running.stop();
    // A first start creates the search index; nothing in its log reads like damage.
    let log = std::fs::read_to_string(dir.with_extension("log")).unwrap();
    assert!(log.contains("created the search index"), "{log}");
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");
    let token_path = dir.join("api.token");
    let old = std::fs::read_to_string(&token_path).unwrap();
    std::fs::set_permissions(&token_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut running = start(&dir);
    let mode = std::fs::metadata(&token_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let new = std::fs::read_to_string(&token_path).unwrap();
    assert_ne!(new.trim(), old.trim());
    let addr = std::fs::read_to_string(dir.join("api.addr")).unwrap();
    let stale = Client::new(addr.trim(), old.trim(), &dir);
    assert!(matches!(stale.status(), Err(ClientError::Unauthorized(_))));
    // Status reports the disk that holds the data directory.
    let disk = running.api.status().unwrap().disk.unwrap();
    assert!(
        disk.total_bytes >= disk.free_bytes && disk.free_bytes > 0,
        "{disk:?}"
    );
    running.stop();
}

/// The equivocations a node has counted, from its metrics.
fn equivocations(node: &Daemon) -> u64 {
    steunpunt_testkit::metric(&node.api, "steunpunt_equivocations").unwrap_or(0)
}

/// A node restored from its backup (keys, config.toml, peers.json) into an empty data
/// directory, while its neighbour goes on: it learns its own records back before it
/// publishes anything, an edit made after the restore continues from the region's
/// revision and wins everywhere, nothing is lost and no equivocation is counted.
#[test]
fn a_restored_node_learns_its_own_records_back_before_publishing() {
    let root = tempfile::tempdir().unwrap();
    let breda = init(root.path(), "Steunpunt Breda", "Breda");
    let tilburg = init(root.path(), "Steunpunt Tilburg", "Tilburg");
    let mut a = start(&breda);
    let b = start(&tilburg);
    steunpunt_testkit::peer_both(&a.api, &b.api);
    let me = a.api.status().unwrap().steunpunt_id;
    for title in ["Voorlezen", "Taalmaatje", "Klussen"] {
        a.api
            .publish(Kind::Vacancy, &vacancy(title, "Breda", "4811"), false)
            .unwrap();
    }
    // Two more revisions of one vacancy: the region holds revision 3.
    for description in ["Elke week.", "Elke week, ook in de vakantie."] {
        let mut draft = vacancy("Voorlezen", "Breda", "4811");
        draft.insert("description".into(), description.into());
        a.api.publish(Kind::Vacancy, &draft, false).unwrap();
    }
    let held_by_b = |b: &Daemon| vacancies_of(&b.api, &me.to_string());
    eventually(
        "Tilburg to hold Breda's three vacancies at their last revision",
        || {
            let held = held_by_b(&b);
            held.len() == 3 && held.iter().any(|r| r.revision == 3)
        },
    );
    a.stop();

    // The backup and restore as the README gives them; everything else is gone.
    let backup = root.path().join("steunpunt-breda.tar");
    let run = |args: &[&str]| {
        let out = Command::new(DAEMON).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    let said = run(&[
        "--data-dir",
        breda.to_str().unwrap(),
        "backup",
        backup.to_str().unwrap(),
    ]);
    assert!(said.contains("1 neighbour"), "{said}");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup is readable by its owner only");
    let restored = root.path().join("breda-restored");
    let said = run(&[
        "--data-dir",
        restored.to_str().unwrap(),
        "restore",
        backup.to_str().unwrap(),
    ]);
    assert!(said.contains("Steunpunt Breda"), "{said}");
    let a = start(&restored);
    // Staff edit the vacancy as soon as the node answers; while it is still learning its
    // records back, it says so (and changes nothing), then the edit is accepted.
    let mut edit = vacancy("Voorlezen", "Breda", "4811");
    edit.insert("description".into(), "Na het terugzetten bewerkt.".into());
    let mut published = None;
    eventually("the edit to be accepted after the restore", || {
        match a.api.publish(Kind::Vacancy, &edit, false) {
            Ok(answer) => {
                published = Some(answer);
                true
            }
            Err(ClientError::Refused { status: 503, .. }) => false,
            Err(e) => panic!("{e}"),
        }
    });
    let published = published.unwrap();
    assert_eq!(
        published.record.revision, 4,
        "continues from the region's revision 3"
    );
    // Nothing lost, the edit everywhere, no equivocation counted anywhere.
    eventually("the edit at Tilburg", || {
        held_by_b(&b).iter().any(|r| {
            r.revision == 4
                && r.vacancy()
                    .is_some_and(|v| v.description == "Na het terugzetten bewerkt.")
        })
    });
    assert_eq!(vacancy_titles(&a.api).len(), 3);
    let peers = a.api.peers().unwrap().peers;
    assert_eq!(peers.len(), 1, "the neighbour came back with peers.json");
    assert!(!a.api.status().unwrap().recovering);
    assert_eq!(equivocations(&a), 0);
    assert_eq!(equivocations(&b), 0);
    // The profile continues too: Tilburg holds one profile of Breda, newer than before.
    let profile = b
        .api
        .record(&steunpunt_protocol::RecordKey::profile(me))
        .unwrap();
    assert!(profile.revision >= 1);
}

/// The log going into a pipe that closes (`steunpuntd … | tee log`, both stopped by one
/// Ctrl-C) does not keep the node from stopping cleanly and removing `api.addr`.
#[test]
fn a_closed_log_pipe_does_not_spoil_the_stop() {
    let root = tempfile::tempdir().unwrap();
    let dir = init(root.path(), "Steunpunt Uden", "Uden");
    let mut child = Command::new(DAEMON)
        .args(["--data-dir", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    eventually("the API", || {
        Client::connect(&dir).is_ok_and(|c| c.status().is_ok())
    });
    drop(child.stderr.take());
    steunpunt_testkit::stop_cleanly(child, &dir, "-INT");
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A store damaged while the node was stopped (cut short, emptied, partly overwritten,
/// replaced by an older copy) is never served as a smaller set: the node either serves
/// all of it or refuses to start, saying what was lost and how to get it back; and
/// `restore-from-region` brings every own record back from the neighbour.
#[test]
fn a_damaged_store_is_refused_and_its_records_come_back_from_the_region() {
    use std::io::{Seek as _, SeekFrom, Write as _};
    const OWN: usize = 40;
    let root = tempfile::tempdir().unwrap();
    let breda = init(root.path(), "Steunpunt Breda", "Breda");
    let tilburg = init(root.path(), "Steunpunt Tilburg", "Tilburg");
    let mut a = start(&breda);
    let b = start(&tilburg);
    steunpunt_testkit::peer_both(&a.api, &b.api);
    let me = a.api.status().unwrap().steunpunt_id.to_string();
    let publish = |a: &Daemon, from: usize, to: usize| {
        for n in from..to {
            let title = format!("Vrijwilliger {n}");
            a.api
                .publish(Kind::Vacancy, &vacancy(&title, "Breda", "4811"), false)
                .unwrap();
        }
    };
    publish(&a, 0, OWN / 2);
    a.stop();
    let older = root.path().join("older-db");
    copy_dir(&breda.join("db"), &older);
    let mut a = start(&breda);
    publish(&a, OWN / 2, OWN);
    eventually("Tilburg to hold Breda's vacancies", || {
        vacancies_of(&b.api, &me).len() == OWN
    });
    a.stop();

    // Cuts and overwrites at eighths of the main file: where the file holds nothing
    // live, the node may serve everything; where it does, it must refuse.
    let main_len = std::fs::metadata(breda.join("db/db")).unwrap().len();
    type Spoil = Box<dyn Fn(&Path)>;
    let mut damage: Vec<(String, Spoil)> = Vec::new();
    for eighth in 0..8 {
        let at = main_len * eighth / 8;
        damage.push((
            format!("cut to {at} of {main_len} bytes"),
            Box::new(move |dir: &Path| {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(dir.join("db/db"))
                    .unwrap();
                file.set_len(at).unwrap();
            }),
        ));
        damage.push((
            format!("overwritten from byte {at}"),
            Box::new(move |dir: &Path| {
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(dir.join("db/db"))
                    .unwrap();
                file.seek(SeekFrom::Start(at)).unwrap();
                file.write_all(&[0x5a; 4096]).unwrap();
            }),
        ));
    }
    let older_copy = older.clone();
    damage.push((
        "replaced by an older copy".to_owned(),
        Box::new(move |dir: &Path| copy_dir(&older_copy, &dir.join("db"))),
    ));
    let work = root.path().join("breda-damaged");
    let mut outcomes = Vec::new();
    for (how, spoil) in &damage {
        copy_dir(&breda, &work);
        spoil(&work);
        match Daemon::try_start(Path::new(DAEMON), &work) {
            Ok(mut node) => {
                assert_eq!(
                    vacancies_of(&node.api, &me).len(),
                    OWN,
                    "a store {how} was served as a smaller set"
                );
                node.stop();
                outcomes.push(format!("{how}: served whole"));
            }
            Err(log) => {
                assert!(
                    log.contains("is damaged") && log.contains("restore-from-region"),
                    "store {how}: {log}"
                );
                outcomes.push(format!("{how}: refused"));
            }
        }
    }
    let refused = outcomes.iter().filter(|o| o.ends_with("refused")).count();
    assert!(refused >= 4, "too few refused:\n{}", outcomes.join("\n"));
    println!("{}", outcomes.join("\n"));
    // What the admin sees for the older copy, and the way back.
    let log = Daemon::try_start(Path::new(DAEMON), &work).err().unwrap();
    assert!(
        log.contains("this steunpunt's own vacancy records are missing (20 of 40 left)"),
        "{log}"
    );
    let out = Command::new(DAEMON)
        .args(["--data-dir", work.to_str().unwrap(), "restore-from-region"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("damaged-") && said.contains("1 neighbour"),
        "{said}"
    );
    let a = start(&work);
    eventually("Breda's own vacancies to come back from Tilburg", || {
        vacancies_of(&a.api, &me).len() == OWN
    });
    eventually("the recovery to end", || {
        !a.api.status().unwrap().recovering
    });
    assert_eq!(equivocations(&a), 0);
    assert_eq!(equivocations(&b), 0);
}

/// Honest neighbours at the shortest sync interval config.toml allows (1 second), while
/// staff publish a vacancy every half second and ask both nodes for a sync every second:
/// neither refuses the other, and every vacancy crosses. A minute here;
/// `STEUNPUNT_BUSY_SECS=3600 cargo test -p steunpunt-node --test daemon_processes busy`
/// runs the hour.
#[test]
fn busy_honest_neighbours_never_refuse_each_other() {
    let secs: u64 = std::env::var("STEUNPUNT_BUSY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let root = tempfile::tempdir().unwrap();
    let dirs = [
        init(root.path(), "Steunpunt Breda", "Breda"),
        init(root.path(), "Steunpunt Tilburg", "Tilburg"),
    ];
    for dir in &dirs {
        let path = dir.join("config.toml");
        let config = std::fs::read_to_string(&path).unwrap();
        assert!(config.contains("interval_secs = 60"), "{config}");
        std::fs::write(
            &path,
            config.replace("interval_secs = 60", "interval_secs = 1"),
        )
        .unwrap();
    }
    let nodes = dirs.each_ref().map(|dir| start(dir));
    peer_with(&nodes[0].api, &nodes[1].api, "buren");
    peer_with(&nodes[1].api, &nodes[0].api, "buren");
    eventually("Breda and Tilburg to connect", || {
        connected(&nodes[0].api) == 1
    });

    let mut published = [Vec::new(), Vec::new()];
    let started = std::time::Instant::now();
    let mut tick = 0u64;
    while started.elapsed() < Duration::from_secs(secs) {
        let node = (tick % 2) as usize;
        let title = format!("Vrijwilliger {tick}");
        let draft = vacancy(&title, "Breda", "4811");
        nodes[node]
            .api
            .publish(Kind::Vacancy, &draft, false)
            .unwrap();
        published[node].push(title);
        if tick % 2 == 1 {
            for n in &nodes {
                n.api.sync().unwrap();
            }
        }
        tick += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    for (from, to) in [(0, 1), (1, 0)] {
        let author = nodes[from].api.status().unwrap().steunpunt_id.to_string();
        eventually("every vacancy on the other node", || {
            let held = steunpunt_testkit::titles_of(&nodes[to].api, &author);
            published[from].iter().all(|t| held.contains(t))
        });
    }
    for node in &nodes {
        let peers = node.api.peers().unwrap();
        assert!(
            peers
                .peers
                .iter()
                .all(|p| p.refused.is_none() && p.connected),
            "{peers:?}"
        );
        let log = std::fs::read_to_string(node.dir.with_extension("log")).unwrap();
        assert!(!log.contains("refused for"), "{log}");
    }
}
