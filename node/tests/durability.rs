//! What "acknowledged" means on a power cut: every publish is answered only after the
//! store's data reached its file and the file was synced (fdatasync or fsync, which
//! also empty the disk's cache and write the file's size). Checked on a syscall trace of
//! a real `steunpuntd`: for each publish, the store's write that carried the record must
//! be followed by a completed sync of the store's file before the answer is written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use steunpunt_api::Client;
use steunpunt_protocol::Kind;
use steunpunt_testkit::{eventually, vacancy};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");
const PUBLISHES: usize = 20;

/// One line of `strace -f -y`: the thread, and the rest (strace pads short thread
/// ids with spaces: `1692  pwrite64(…`).
fn split(line: &str) -> (&str, &str) {
    let line = line.trim_start();
    line.split_once(' ')
        .map_or(("", line), |(thread, call)| (thread, call.trim_start()))
}

/// For each title: whether the store's write that carried it (`pwrite64` on `db/db`
/// whose data holds the title) was followed by a completed sync of the store's file
/// before the answer `201 Created` that names it. Other writes of the store (sled's own
/// housekeeping) do not count either way.
fn synced_before_answers(trace: &str, titles: &[String]) -> Vec<bool> {
    let store = "/db/db>";
    let mut syncs = Vec::new();
    let mut syncing: HashMap<&str, bool> = HashMap::new();
    for (i, line) in trace.lines().enumerate() {
        let (thread, call) = split(line);
        let is_sync = call.starts_with("fdatasync(") || call.starts_with("fsync(");
        if is_sync && call.contains(store) {
            if call.contains("<unfinished") {
                syncing.insert(thread, true);
            } else if call.ends_with("= 0") {
                syncs.push(i);
            }
        } else if (call.starts_with("<... fdatasync resumed>")
            || call.starts_with("<... fsync resumed>"))
            && call.ends_with("= 0")
            && syncing.remove(thread).is_some()
        {
            syncs.push(i);
        }
    }
    let lines: Vec<&str> = trace.lines().collect();
    titles
        .iter()
        .map(|title| {
            let written = lines.iter().position(|l| {
                let call = split(l).1;
                call.starts_with("pwrite64(")
                    && call.contains(store)
                    && call.contains(title.as_str())
            });
            let answered = lines
                .iter()
                .position(|l| l.contains("HTTP/1.1 201 Created") && l.contains(title.as_str()));
            match (written, answered) {
                (Some(w), Some(a)) => syncs.iter().any(|s| *s > w && *s < a),
                _ => false,
            }
        })
        .collect()
}

#[test]
fn a_publish_is_answered_only_after_the_store_file_is_synced() {
    if Command::new("strace").arg("-V").output().is_err() {
        println!("skipped: strace is not installed");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Best", "Best");
    let trace = root.path().join("trace.txt");
    let mut child = Command::new("strace")
        // -s: long enough to see the record's title in what is written.
        .args(["-f", "-y", "-s", "8192"])
        .args(["-e", "trace=pwrite64,fdatasync,fsync,write,writev,sendto"])
        .arg("-o")
        .arg(&trace)
        .arg(DAEMON)
        .arg("--data-dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut api = None;
    eventually("steunpuntd under strace", || {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("strace ended at once ({status}); is tracing allowed here?");
        }
        api = Client::connect(&dir).ok().filter(|c| c.status().is_ok());
        api.is_some()
    });
    let api = api.unwrap();
    let titles: Vec<String> = (0..PUBLISHES)
        .map(|n| format!("Vrijwilliger {n:02} in Best"))
        .collect();
    for title in &titles {
        api.publish(Kind::Vacancy, &vacancy(title, "Best", "5684"), false)
            .unwrap();
    }
    // The node itself, not strace, is told to stop; strace ends with it.
    let node = format!("{DAEMON} --data-dir {}", dir.display());
    Command::new("pkill")
        .args(["-TERM", "-f", "-x", &node])
        .status()
        .unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&trace).unwrap();
    let answers = synced_before_answers(&text, &titles);
    let unsynced = answers.iter().filter(|synced| !**synced).count();
    if unsynced > 0 {
        let kept = std::env::temp_dir().join("steunpunt-durability-trace.txt");
        let _ = std::fs::copy(&trace, &kept);
        println!("the trace is kept in {}", kept.display());
    }
    println!(
        "{PUBLISHES} publishes traced: {unsynced} answered before the store's file was synced"
    );
    assert_eq!(unsynced, 0);
}

#[test]
fn the_trace_reading_tells_a_missing_sync() {
    let titles = ["Vrijwilliger 01".to_owned()];
    let synced = "1  pwrite64(9</d/db/db>, \"Vrijwilliger 01\", 15, 0) = 15\n\
                  2 fdatasync(11</d/db/db> <unfinished ...>\n\
                  1 pwrite64(9</d/db/db>, \"x\", 1, 15) = 1\n\
                  2 <... fdatasync resumed>) = 0\n\
                  3 writev(15<socket:[1]>, [{iov_base=\"HTTP/1.1 201 Created Vrijwilliger 01\"}], 1) = 20\n";
    assert_eq!(synced_before_answers(synced, &titles), [true]);
    let unsynced = "1 fdatasync(11</d/db/db>) = 0\n\
                    1 pwrite64(9</d/db/db>, \"Vrijwilliger 01\", 15, 0) = 15\n\
                    3 writev(15<socket:[1]>, [{iov_base=\"HTTP/1.1 201 Created Vrijwilliger 01\"}], 1) = 20\n";
    assert_eq!(synced_before_answers(unsynced, &titles), [false]);
}
