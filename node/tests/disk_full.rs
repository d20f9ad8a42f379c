//! A node whose disk fills up, on a small tmpfs: writes are refused with a clear error
//! while reading and searching go on, a refused write is never listed, searched or
//! replicated, status and metrics say what is wrong, and once there is room again
//! writing works without a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use steunpunt_api::{Client, ClientError, SearchQuery};
use steunpunt_protocol::Kind;
use steunpunt_testkit::{Daemon, eventually, metric, titles_of, vacancy};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts one, or says why it cannot.
    fn mount(dir: &Path, size: &str) -> Result<Self, String> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if out.status.success() {
            Ok(Self(dir.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the disk holding `path` to the last byte.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    // What fits of a last partial chunk.
    while file.write_all(&[0u8; 512]).is_ok() {}
    let _ = file.sync_all();
}

/// The titles of `author`'s vacancies that a search for `words` finds, and how many
/// warnings came with them.
fn found(api: &Client, author: &str, words: &str) -> (Vec<String>, usize) {
    let results = api
        .search(
            Kind::Vacancy,
            &SearchQuery {
                q: Some(words.to_owned()),
                author: Some(author.to_owned()),
                ..SearchQuery::default()
            },
        )
        .unwrap();
    (
        results
            .results
            .iter()
            .filter_map(|h| h.record.title().map(str::to_owned))
            .collect(),
        results.warnings.len(),
    )
}

#[test]
fn a_full_disk_refuses_writes_keeps_reads_and_recovers_without_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let small = root.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let _tmpfs = match Tmpfs::mount(&small, "48m") {
        Ok(tmpfs) => tmpfs,
        Err(why) => {
            println!("skipped: a small tmpfs cannot be mounted here ({why})");
            return;
        }
    };
    let tilburg = steunpunt_testkit::init(
        Path::new(DAEMON),
        root.path(),
        "Steunpunt Tilburg",
        "Tilburg",
    );
    let b = Daemon::start(Path::new(DAEMON), &tilburg);
    // With the default reserve the node refuses before the store meets the full disk;
    // with none, the store itself runs into it in the middle of a write.
    for reserve in ["32", "0"] {
        let breda = steunpunt_testkit::init(
            Path::new(DAEMON),
            &small,
            &format!("Steunpunt Breda {reserve}"),
            "Breda",
        );
        let config = breda.join("config.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.contains("reserve_mb = 32"), "{text}");
        std::fs::write(
            &config,
            text.replace("reserve_mb = 32", &format!("reserve_mb = {reserve}")),
        )
        .unwrap();
        let mut a = Daemon::start(Path::new(DAEMON), &breda);
        steunpunt_testkit::peer_both(&a.api, &b.api);
        let me = a.api.status().unwrap().steunpunt_id.to_string();
        let publish = |title: &str| {
            a.api
                .publish(Kind::Vacancy, &vacancy(title, "Breda", "4811"), false)
        };
        publish("Voorlezen op school").unwrap();
        eventually("Tilburg to hold the first vacancy", || {
            titles_of(&b.api, &me).len() == 1
        });

        let filler = small.join("filler");
        fill(&filler);
        let mut accepted = vec!["Voorlezen op school".to_owned()];
        let mut refused = None;
        for n in 1..=50 {
            let title = format!("Tuinklus nummer {n}");
            match publish(&title) {
                Ok(_) => accepted.push(title),
                Err(ClientError::Refused { status, code, .. }) => {
                    assert_eq!((status, code.as_str()), (507, "disk_full"));
                    refused = Some(title);
                    break;
                }
                Err(e) => panic!("reserve {reserve}: {e}"),
            }
        }
        let refused = refused.expect("a publish on a full disk was refused");
        println!(
            "reserve {reserve} MiB: {} vacancies accepted on the full disk, then refused",
            accepted.len() - 1
        );
        // Reading and searching go on; the refused vacancy is nowhere.
        let held = titles_of(&a.api, &me);
        assert!(!held.contains(&refused), "reserve {reserve}: {held:?}");
        assert_eq!(held.len(), accepted.len(), "{held:?} {accepted:?}");
        let (hits, _) = found(&a.api, &me, "tuinklus");
        assert!(!hits.contains(&refused), "{hits:?}");
        let status = a.api.status().unwrap();
        assert!(
            status.writes_failing.as_ref().is_some_and(|f| f.disk_full),
            "{status:?}"
        );
        assert_eq!(metric(&a.api, "steunpunt_store_writable"), Some(0));

        // Room again: writing works without a restart, and searching catches up.
        std::fs::remove_file(&filler).unwrap();
        publish("Na het opruimen").unwrap();
        accepted.push("Na het opruimen".to_owned());
        assert!(a.api.status().unwrap().writes_failing.is_none());
        assert_eq!(metric(&a.api, "steunpunt_store_writable"), Some(1));
        let (hits, warnings) = found(&a.api, &me, "opruimen");
        assert_eq!((hits, warnings), (vec!["Na het opruimen".to_owned()], 0));
        let (hits, _) = found(&a.api, &me, "tuinklus");
        assert_eq!(hits.len(), accepted.len() - 2, "{hits:?}");
        // Tilburg gets everything that was accepted, never the refused one.
        eventually("Tilburg to hold every accepted vacancy", || {
            titles_of(&b.api, &me).len() == accepted.len()
        });
        assert!(!titles_of(&b.api, &me).contains(&refused));
        assert!(!titles_of(&a.api, &me).contains(&refused));
        a.stop();
        let log = std::fs::read_to_string(breda.with_extension("log")).unwrap();
        if reserve == "0" {
            assert!(log.contains("the store was opened again"), "{log}");
        }
    }
}
