//! Exports of a generated region, written for the standards' own validators: a node holds
//! the generated partners and vacancies of three municipalities, and the real `steunpunt`
//! writes them as Open Referral HSDS and schema.org JSON-LD to `target/tmp/exports/`,
//! where `.ci/run` checks them with the validators the standards publish.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::{Path, PathBuf};

use serde_json::Value;
use steunpunt_api::Draft;
use steunpunt_examples::generator::generate;
use steunpunt_protocol::Kind;
use steunpunt_testkit::{Daemon, run_on};

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
    for (seed, place) in ["Tilburg", "Breda", "Oss"].into_iter().enumerate() {
        let region = generate(place, seed as u64, 15, 20);
        for (id, body) in &region.organisations {
            node.api
                .publish(Kind::Organisation, &draft(id.as_str(), body), false)
                .unwrap();
        }
        for (id, body) in &region.vacancies {
            node.api
                .publish(Kind::Vacancy, &draft(id.as_str(), body), false)
                .unwrap();
        }
    }
    // Generated names repeat across places: count what the node holds.
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
            _ => assert_eq!(
                document["@graph"].as_array().unwrap().len() as u64,
                organisations + vacancies
            ),
        }
        std::fs::write(out_dir.join(format!("{format}.json")), &out).unwrap();
    }
    node.stop();
}
