//! End to end with the real binaries: `steunpunt` drives three `steunpuntd` nodes peered
//! as a chain A–B–C. A vacancy published on A is found from C (trust through B), its
//! withdrawal reaches C, a restart of B loses nothing, and errors say what to do.
//!
//! `steunpuntd` must sit next to `steunpunt` (as `cargo test --workspace` builds it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_steunpunt");

fn daemon() -> PathBuf {
    let path = Path::new(CLI).with_file_name("steunpuntd");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`, or `cargo build -p steunpunt-node` first",
        path.display()
    );
    path
}

fn steunpunt(dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = steunpunt(dir, args);
    assert!(
        out.status.success(),
        "steunpunt {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out = steunpunt(dir, args);
    assert!(
        !out.status.success(),
        "steunpunt {args:?} should have failed"
    );
    String::from_utf8(out.stderr).unwrap()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &all)).unwrap()
}

fn json_lines(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    ok(dir, &all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

struct Node {
    child: Child,
}

impl Node {
    fn start(dir: &Path) -> Self {
        let _ = std::fs::remove_file(dir.join("api.addr"));
        let log = std::fs::File::create(dir.with_extension("log")).unwrap();
        let child = Command::new(daemon())
            .arg("--data-dir")
            .arg(dir)
            .stderr(log)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !dir.join("api.addr").exists() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "steunpuntd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child }
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(self.child.wait().unwrap().success());
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn init(root: &Path, name: &str, municipality: &str) -> PathBuf {
    let dir = root.join(municipality.to_lowercase());
    let report = json(
        &dir,
        &[
            "init",
            "--name",
            name,
            "--municipality",
            municipality,
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api",
            "127.0.0.1:0",
        ],
    );
    assert!(report["steunpunt_id"].as_str().unwrap().starts_with("sp_"));
    assert!(report["peer_id"].as_str().unwrap().starts_with("12D3KooW"));
    assert_eq!(report["data_dir"].as_str().unwrap(), dir.to_str().unwrap());
    dir
}

fn peer(a: &Path, b: &Path) {
    let status = json(b, &["status"]);
    let addr = format!(
        "{}/p2p/{}",
        status["listen_addrs"][0].as_str().unwrap(),
        status["peer_id"].as_str().unwrap()
    );
    ok(
        a,
        &[
            "peer",
            "add",
            &addr,
            "--steunpunt",
            status["steunpunt_id"].as_str().unwrap(),
        ],
    );
}

fn eventually(what: &str, check: impl Fn() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn write(root: &Path, name: &str, text: &str) -> String {
    let path = root.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

const VACANCY: &str = r#"{
  "title": "Voorlezen op de basisschool",
  "description": "Lees wekelijks voor aan groep 3 en 4.",
  "organisation": { "name": "OBS De Vlier" },
  "categories": ["onderwijs-school"],
  "engagement": "structureel",
  "mas": { "suitable": true, "min_age": 14 },
  "location": { "municipality": "Breda", "pc4": "4811" },
  "contact": { "email": "info@devlier.nl" }
}"#;

#[test]
fn chain_of_three_through_the_cli() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        init(root.path(), "Steunpunt Breda", "Breda"),
        init(root.path(), "Steunpunt Tilburg", "Tilburg"),
        init(root.path(), "Steunpunt Eindhoven", "Eindhoven"),
    );
    let (node_a, node_b, node_c) = (Node::start(&a), Node::start(&b), Node::start(&c));
    peer(&a, &b);
    peer(&b, &a);
    peer(&b, &c);
    peer(&c, &b);
    eventually("C to trust A through B", || {
        json(&c, &["status"])["trusted_steunpunten"] == 3
    });

    let file = write(root.path(), "voorlezen.json", VACANCY);
    assert_eq!(
        ok(&a, &["vacancy", "publish", &file]).trim(),
        "voorlezen-op-de-basisschool"
    );
    // The vacancy and A's profile (for the steunpunt name) reach C well before the periodic
    // sync (60 s): trust in A grows during C's sync with B, which syncs again at once.
    eventually("the vacancy and its steunpunt at C", || {
        json_lines(
            &c,
            &[
                "search",
                "voorlezen",
                "--mas",
                "--age",
                "14",
                "--near",
                "4811",
                "--radius-km",
                "20",
            ],
        )
        .iter()
        .any(|r| r["id"] == "voorlezen-op-de-basisschool" && r["steunpunt"] == "Steunpunt Breda")
    });
    let found = json_lines(&c, &["search", "voorlezen"]);
    assert_eq!(found[0]["steunpunt"], "Steunpunt Breda");
    assert_eq!(found[0]["hops"], 2);
    // A table for people.
    let table = ok(&c, &["search", "voorlezen", "--near", "4811"]);
    assert!(
        table.contains("Voorlezen op de basisschool") && table.contains("Steunpunt Breda"),
        "{table}"
    );

    ok(&a, &["vacancy", "withdraw", "voorlezen-op-de-basisschool"]);
    eventually("the withdrawal at C", || {
        json_lines(&c, &["search", "voorlezen"]).is_empty()
    });

    // Restart B: nothing is lost.
    let before = json(&b, &["status"])["record_counts"].clone();
    node_b.stop();
    let node_b = Node::start(&b);
    assert_eq!(json(&b, &["status"])["record_counts"], before);
    drop((node_a, node_b, node_c));
}

#[test]
fn errors_say_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let a = init(root.path(), "Steunpunt Helmond", "Helmond");
    // Not running yet.
    let err = fails(&a, &["status"]);
    assert!(
        err.contains("not running") && err.contains("steunpuntd --data-dir"),
        "{err}"
    );
    let node = Node::start(&a);
    // JSON that does not parse: line and column.
    let broken = write(root.path(), "kapot.json", "{\n  \"title\": \"x\",\n}\n");
    let err = fails(&a, &["vacancy", "publish", &broken]);
    assert!(err.contains("line 3, column 1"), "{err}");
    // A field that fails validation, with the allowed values.
    let bad = write(
        root.path(),
        "fout.json",
        &VACANCY.replace("onderwijs-school", "school"),
    );
    let err = fails(&a, &["vacancy", "publish", &bad]);
    assert!(
        err.contains("categories[0]") && err.contains("onderwijs-school"),
        "{err}"
    );
    // A misspelt field is named rather than dropped.
    let typo = write(
        root.path(),
        "typo.json",
        &VACANCY.replace("\"description\"", "\"omschrijving\""),
    );
    let err = fails(&a, &["vacancy", "publish", &typo]);
    assert!(err.contains("omschrijving"), "{err}");
    // A malformed steunpunt ID.
    let err = fails(&a, &["peer", "block", "sp_kapot"]);
    assert!(err.contains("steunpunt ID"), "{err}");
    // A wrong token.
    std::fs::write(a.join("api.token"), "0".repeat(64)).unwrap();
    let err = fails(&a, &["status"]);
    assert!(err.contains("refused the API token"), "{err}");
    node.stop();
}
