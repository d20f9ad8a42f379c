//! What "acknowledged" means on a power cut: every publish is answered only after the
//! store's data reached its file and the file was synced (fdatasync or fsync, which
//! also empty the disk's cache and write the file's size). Checked on a syscall trace of
//! a real `steunpuntd`: for each `201 Created`, the store's last write before it must be
//! followed by a completed sync of the store's file, before the answer is written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use steunpunt_api::Client;
use steunpunt_protocol::Kind;
use steunpunt_testkit::{eventually, vacancy};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");
const PUBLISHES: usize = 20;

/// One line of `strace -f -y`: the thread, and the rest.
fn split(line: &str) -> (&str, &str) {
    line.split_once(' ').unwrap_or(("", line))
}

/// For each answer `201 Created` in `trace`: whether the store's last write before it
/// was followed by a completed sync of the store's file before the answer.
fn synced_before_answers(trace: &str) -> Vec<bool> {
    let store = "/db/db>";
    let mut last_write = None;
    let mut last_sync = None;
    let mut syncing: HashMap<&str, bool> = HashMap::new();
    let mut answers = Vec::new();
    for (i, line) in trace.lines().enumerate() {
        let (thread, call) = split(line);
        let is_sync = call.starts_with("fdatasync(") || call.starts_with("fsync(");
        if call.starts_with("pwrite64(") && call.contains(store) {
            last_write = Some(i);
        } else if is_sync && call.contains(store) {
            if call.contains("<unfinished") {
                syncing.insert(thread, true);
            } else if call.ends_with("= 0") {
                last_sync = Some(i);
            }
        } else if (call.starts_with("<... fdatasync resumed>")
            || call.starts_with("<... fsync resumed>"))
            && call.ends_with("= 0")
            && syncing.remove(thread).is_some()
        {
            last_sync = Some(i);
        } else if call.contains("HTTP/1.1 201 Created") {
            answers.push(matches!((last_write, last_sync), (Some(w), Some(s)) if s > w));
        }
    }
    answers
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
        .args([
            "-f",
            "-y",
            "-e",
            "trace=pwrite64,fdatasync,fsync,write,writev,sendto",
        ])
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
    for n in 0..PUBLISHES {
        api.publish(
            Kind::Vacancy,
            &vacancy(&format!("Vrijwilliger {n}"), "Best", "5684"),
            false,
        )
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
    let answers = synced_before_answers(&text);
    assert_eq!(
        answers.len(),
        PUBLISHES,
        "every publish answered 201 is in the trace"
    );
    let unsynced = answers.iter().filter(|synced| !**synced).count();
    println!(
        "{PUBLISHES} publishes traced: {unsynced} answered before the store's file was synced"
    );
    assert_eq!(unsynced, 0);
}

#[test]
fn the_trace_reading_tells_a_missing_sync() {
    let synced = "1 pwrite64(9</d/db/db>, \"x\", 1, 0) = 1\n\
                  2 fdatasync(11</d/db/db> <unfinished ...>\n\
                  2 <... fdatasync resumed>) = 0\n\
                  3 writev(15<socket:[1]>, [{iov_base=\"HTTP/1.1 201 Created\"}], 1) = 20\n";
    assert_eq!(synced_before_answers(synced), [true]);
    let unsynced = "1 fdatasync(11</d/db/db>) = 0\n\
                    1 pwrite64(9</d/db/db>, \"x\", 1, 0) = 1\n\
                    3 writev(15<socket:[1]>, [{iov_base=\"HTTP/1.1 201 Created\"}], 1) = 20\n";
    assert_eq!(synced_before_answers(unsynced), [false]);
}
