//! Real `steunpuntd` processes on loopback, driven over their HTTP API: two peered nodes
//! replicate vacancies both ways, a third node that neither trusts cannot connect, the
//! API refuses requests without the token, and a restarted node keeps everything.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

struct Node {
    dir: PathBuf,
    child: Option<Child>,
    api: String,
    token: String,
}

fn init(root: &Path, name: &str, municipality: &str) -> PathBuf {
    let dir = root.join(name.to_lowercase().replace(' ', "-"));
    let out = Command::new(DAEMON)
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "init",
            "--name",
            name,
            "--municipality",
            municipality,
        ])
        .args([
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api",
            "127.0.0.1:0",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

impl Node {
    fn start(dir: &Path) -> Self {
        let _ = std::fs::remove_file(dir.join("api.addr"));
        let log = std::fs::File::create(dir.with_extension("log")).unwrap();
        let child = Command::new(DAEMON)
            .args(["--data-dir", dir.to_str().unwrap()])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let api = loop {
            if let Ok(addr) = std::fs::read_to_string(dir.join("api.addr")) {
                break addr;
            }
            assert!(
                Instant::now() < deadline,
                "steunpuntd did not start: see {}",
                dir.with_extension("log").display()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let token = std::fs::read_to_string(dir.join("api.token")).unwrap();
        Self {
            dir: dir.to_owned(),
            child: Some(child),
            api: format!("http://{api}"),
            token,
        }
    }

    fn get(&self, path: &str) -> Value {
        ureq::get(format!("{}{path}", self.api))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap()
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        ureq::post(format!("{}{path}", self.api))
            .header("Authorization", format!("Bearer {}", self.token))
            .send_json(body)
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap()
    }

    fn status(&self) -> Value {
        self.get("/v1/status")
    }

    /// `/ip4/127.0.0.1/tcp/PORT/p2p/PEER_ID`.
    fn address(&self) -> String {
        let status = self.status();
        format!(
            "{}/p2p/{}",
            status["listen_addrs"][0].as_str().unwrap(),
            status["peer_id"].as_str().unwrap()
        )
    }

    fn steunpunt_id(&self) -> String {
        self.status()["steunpunt_id"].as_str().unwrap().to_owned()
    }

    fn peer_with(&self, other: &Node) {
        self.post("/v1/peers", &json!({ "multiaddr": other.address(), "steunpunt": other.steunpunt_id(), "label": "buren" }));
    }

    fn vacancy_titles(&self) -> Vec<String> {
        self.get("/v1/records/vacancies")["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn stop(&mut self) {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        assert!(exit.success(), "steunpuntd did not stop cleanly: {exit:?}");
        assert!(
            !self.dir.join("api.addr").exists(),
            "api.addr is removed at shutdown"
        );
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn vacancy(title: &str, municipality: &str, pc4: &str) -> Value {
    json!({
        "title": title,
        "description": "Help mee in de buurt.",
        "organisation": { "name": "Buurthuis" },
        "categories": ["buurt-wonen"],
        "engagement": "structureel",
        "location": { "municipality": municipality, "pc4": pc4 },
        "contact": { "email": "info@buurthuis.nl" },
    })
}

/// Waits until `check` holds; returns how long it took.
fn eventually(what: &str, check: impl Fn() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

#[test]
fn peered_daemons_replicate_both_ways_and_a_stranger_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let a_dir = init(root.path(), "Steunpunt Breda", "Breda");
    let b_dir = init(root.path(), "Steunpunt Tilburg", "Tilburg");
    let c_dir = init(root.path(), "Onbekend Steunpunt", "Elders");
    let a = Node::start(&a_dir);
    let mut b = Node::start(&b_dir);
    let c = Node::start(&c_dir);

    // The API wants the token.
    let anonymous = ureq::get(format!("{}/v1/status", a.api)).call();
    assert!(
        matches!(anonymous, Err(ureq::Error::StatusCode(401))),
        "{anonymous:?}"
    );
    let wrong = ureq::get(format!("{}/v1/status", a.api))
        .header("Authorization", "Bearer nope")
        .call();
    assert!(matches!(wrong, Err(ureq::Error::StatusCode(401))));

    // Breda and Tilburg peer with each other; the stranger only dials Breda.
    a.peer_with(&b);
    b.peer_with(&a);
    c.peer_with(&a);
    eventually("Breda and Tilburg to connect", || {
        a.status()["peers"].as_array().unwrap().len() == 1
    });

    a.post(
        "/v1/records/vacancy",
        &vacancy("Voorlezen in Breda", "Breda", "4811"),
    );
    let to_tilburg = eventually("the Breda vacancy in Tilburg", || {
        b.vacancy_titles()
            .contains(&"Voorlezen in Breda".to_owned())
    });
    b.post(
        "/v1/records/vacancy",
        &vacancy("Taalmaatje in Tilburg", "Tilburg", "5011"),
    );
    let to_breda = eventually("the Tilburg vacancy in Breda", || {
        a.vacancy_titles()
            .contains(&"Taalmaatje in Tilburg".to_owned())
    });
    eprintln!("replication: Breda→Tilburg {to_tilburg:?}, Tilburg→Breda {to_breda:?}");

    // The stranger is refused: no connection, no records.
    let c_peer = c.status()["peer_id"].as_str().unwrap().to_owned();
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        c.status()["peers"].as_array().unwrap().is_empty(),
        "the stranger got connected: {}",
        c.status()
    );
    assert!(
        !a.status()["peers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["peer_id"] == c_peer.as_str())
    );
    assert!(c.vacancy_titles().is_empty());

    // The OpenAPI document is served without a token and describes the routes.
    let doc: Value = ureq::get(format!("{}/v1/openapi.json", a.api))
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

    // Bodies that cannot be read answer with the same JSON error body, never plain text.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let send = |content_type: &str, body: &str| {
        let mut response = agent
            .post(format!("{}/v1/records/vacancies", a.api))
            .header("Authorization", format!("Bearer {}", a.token))
            .header("Content-Type", content_type)
            .send(body)
            .unwrap();
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
    let metrics = ureq::get(format!("{}/metrics", a.api))
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
    let b = Node::start(&b_dir);
    let titles = b.vacancy_titles();
    assert!(
        titles.contains(&"Voorlezen in Breda".to_owned())
            && titles.contains(&"Taalmaatje in Tilburg".to_owned())
    );
    eventually("Tilburg to reconnect", || {
        b.status()["peers"].as_array().unwrap().len() == 1
    });
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
    let running = Node::start(&dir);
    // A second daemon on the same data directory.
    let twice = start_failure(&dir, &["--api", "127.0.0.1:0"]);
    assert!(twice.contains("in use by another steunpuntd"), "{twice}");
    // Another data directory whose API port is taken.
    let other = init(root.path(), "Steunpunt Eindhoven", "Eindhoven");
    let taken = running.api.trim_start_matches("http://").to_owned();
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
