//! Exports of a generated region, written for the standards' own validators: two peered
//! nodes hold the generated partners and vacancies of three municipalities, and the real
//! `steunpunt` writes them as Open Referral HSDS and schema.org JSON-LD to
//! `target/tmp/exports/`, where `.ci/run` checks them with the validators the standards
//! publish. As the export holds the other centre's records, it says so at its top.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::{Path, PathBuf};

use serde_json::Value;
use steunpunt_api::{Draft, ListQuery};
use steunpunt_examples::generator::generate;
use steunpunt_protocol::Kind;
use steunpunt_testkit::{Daemon, eventually, peer_both, run_on};

/// A binary of the workspace beside the demo's.
fn beside(name: &str) -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_demo-region")).with_file_name(name)
}

fn draft(id: &str, body: &impl serde::Serialize) -> Draft {
    let Value::Object(mut fields) = serde_json::to_value(body).unwrap() else {
        panic!("a body is an object");
    };
    fields.insert("id".into(), id.into());
    fields
}

#[test]
fn a_generated_region_is_exported_for_the_validators() {
    let root = tempfile::tempdir().unwrap();
    let steunpuntd = beside("steunpuntd");
    let dir = steunpunt_testkit::init(&steunpuntd, root.path(), "Steunpunt Tilburg", "Tilburg");
    let mut node = Daemon::start(&steunpuntd, &dir);
    let breda_dir = steunpunt_testkit::init(&steunpuntd, root.path(), "Steunpunt Breda", "Breda");
    let mut breda = Daemon::start(&steunpuntd, &breda_dir);
    peer_both(&node.api, &breda.api);
    for (seed, place) in ["Tilburg", "Breda", "Oss"].into_iter().enumerate() {
        let region = generate(place, seed as u64, 15, 20);
        let publisher = if place == "Breda" { &breda } else { &node };
        for (id, body) in &region.organisations {
            publisher
                .api
                .publish(Kind::Organisation, &draft(id.as_str(), body), false)
                .unwrap();
        }
        for (id, body) in &region.vacancies {
            publisher
                .api
                .publish(Kind::Vacancy, &draft(id.as_str(), body), false)
                .unwrap();
        }
    }
    // Generated names repeat across places: count what the nodes hold.
    let held = |daemon: &Daemon| {
        let counts = daemon.api.status().unwrap().record_counts;
        counts.organisation + counts.vacancy
    };
    let own = |daemon: &Daemon| {
        let mine = |kind| {
            let query = ListQuery {
                mine: true,
                ..ListQuery::default()
            };
            daemon.api.records(kind, &query).unwrap().total
        };
        (mine(Kind::Organisation) + mine(Kind::Vacancy)) as u64
    };
    let (tilburg_own, breda_own) = (own(&node), own(&breda));
    eventually("Tilburg holds Breda's records", || {
        held(&node) == tilburg_own + breda_own
    });
    let counts = node.api.status().unwrap().record_counts;
    let (organisations, vacancies) = (counts.organisation, counts.vacancy);
    assert!(organisations >= 30 && vacancies >= 15, "{counts:?}");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("exports");
    std::fs::create_dir_all(&out_dir).unwrap();
    for format in ["hsds", "jsonld"] {
        let out = run_on(&beside("steunpunt"), &dir, &["export", "--format", format]);
        let document: Value = serde_json::from_slice(&out).unwrap();
        match format {
            "hsds" => assert_eq!(document["total_items"], organisations),
            _ => {
                let graph = document["@graph"].as_array().unwrap();
                // The notice, then every record.
                assert_eq!(graph.len() as u64, 1 + organisations + vacancies);
                assert_eq!(graph[0]["@type"], "Dataset");
                let notice = graph[0]["description"].as_str().unwrap();
                assert!(notice.contains("andere steunpunten"), "{notice}");
            }
        }
        std::fs::write(out_dir.join(format!("{format}.json")), &out).unwrap();
    }
    let export = |format| {
        let out = run_on(&beside("steunpunt"), &dir, &["export", "--format", format]);
        String::from_utf8(out).unwrap()
    };
    let excel = export("csv");
    let mut lines = excel.trim_start_matches('\u{feff}').lines();
    let first = lines.next().unwrap();
    assert!(
        first.contains("# let op: deze export bevat ook gegevens van andere steunpunten"),
        "{first}"
    );
    assert!(
        lines.next().unwrap().starts_with("record;"),
        "the header follows the notice"
    );
    assert!(
        export("csv-plain").starts_with("record;"),
        "the plain CSV, for programs, has none"
    );
    breda.stop();
    node.stop();
}
