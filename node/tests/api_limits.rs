//! The API's bounds, against a real `steunpuntd`: a half-sent request does not hold up
//! the stop, idle connections are closed and cannot use up the node's files, and a
//! publish answered with an error was never stored, even when the node stops mid-load.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use steunpunt_api::{Client, ClientError, ListQuery};
use steunpunt_protocol::Kind;
use steunpunt_testkit::{Daemon, eventually, vacancy};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

fn api_address(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("api.addr"))
        .unwrap()
        .trim()
        .trim_start_matches("http://")
        .to_owned()
}

/// Starts steunpuntd as a child this test signals itself.
fn spawn(dir: &Path) -> Child {
    let _ = std::fs::remove_file(dir.join("api.addr"));
    let child = Command::new(DAEMON)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("the API", || {
        Client::connect(dir).is_ok_and(|c| c.status().is_ok())
    });
    child
}

/// Sends SIGTERM and waits for the exit; panics if it takes longer than `patience`.
fn stop_within(mut child: Child, patience: Duration) -> Duration {
    let started = Instant::now();
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "steunpuntd exited with {status}");
            return started.elapsed();
        }
        if started.elapsed() > patience {
            let _ = child.kill();
            panic!("steunpuntd was still running {patience:?} after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_half_sent_request_does_not_hold_up_the_stop() {
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Oss", "Oss");
    let child = spawn(&dir);
    let mut half = TcpStream::connect(api_address(&dir)).unwrap();
    half.write_all(b"GET /v1/status HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let took = stop_within(child, Duration::from_secs(30));
    println!("stopped {took:?} after SIGTERM with a half-sent request open");
    assert!(!dir.join("api.addr").exists());
}

#[test]
fn idle_connections_are_closed_and_cannot_exhaust_the_api() {
    const IDLE: usize = 400;
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Uden", "Uden");
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let address = api_address(&dir);
    let mut idle: Vec<TcpStream> = (0..IDLE)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    // While they are held, a request is answered at once: served, or told the API is
    // busy; it never hangs.
    let mut busy = 0;
    for _ in 0..20 {
        // A new client each time: not one of the connections held before.
        match Client::connect(&dir).unwrap().status() {
            Ok(_) => {}
            Err(ClientError::Refused {
                status: 503, code, ..
            }) if code == "busy" => busy += 1,
            Err(e) => panic!("{e}"),
        }
    }
    println!("{IDLE} idle connections held: {busy} of 20 requests answered busy");
    assert!(
        busy > 0,
        "more connections than the API serves at once were all kept"
    );
    // The node closes every idle connection by itself.
    let closed_by_node = |stream: &mut TcpStream| {
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut byte = [0u8; 512];
        // End of stream, or the 503 answer followed by the end.
        loop {
            match stream.read(&mut byte) {
                Ok(0) => return true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    };
    let closed = idle.iter_mut().map(closed_by_node).filter(|c| *c).count();
    assert_eq!(closed, IDLE, "every idle connection is closed by the node");
    node.api.status().unwrap();
    node.stop();
}

/// Many publishes at once while the node is told to stop: every publish answered with
/// an error was not stored, every one answered with success was.
#[test]
fn a_publish_answered_with_an_error_was_never_stored() {
    const WRITERS: usize = 4;
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Vught", "Vught");
    let child = spawn(&dir);
    let api = Client::connect(&dir).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let outcomes: Arc<Mutex<Vec<(String, &'static str)>>> = Arc::default();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (api, done, outcomes) = (api.clone(), done.clone(), outcomes.clone());
            std::thread::spawn(move || {
                for n in 0.. {
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    let title = format!("Vrijwilliger {w}-{n}");
                    let outcome = match api.publish(
                        Kind::Vacancy,
                        &vacancy(&title, "Vught", "5261"),
                        false,
                    ) {
                        Ok(_) => "stored",
                        Err(ClientError::Refused { .. } | ClientError::Unexpected { .. }) => {
                            "refused"
                        }
                        Err(_) => "no answer",
                    };
                    outcomes.lock().unwrap().push((title, outcome));
                    if outcome == "no answer" {
                        break;
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    stop_within(child, Duration::from_secs(30));
    done.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let held: Vec<String> = node
        .api
        .records_where(Kind::Vacancy, &ListQuery::default(), |_| true)
        .unwrap()
        .iter()
        .filter_map(|r| r.title().map(str::to_owned))
        .collect();
    let outcomes = outcomes.lock().unwrap();
    let count = |what| outcomes.iter().filter(|(_, o)| *o == what).count();
    println!(
        "during the stop: {} stored, {} refused, {} without an answer",
        count("stored"),
        count("refused"),
        count("no answer")
    );
    assert!(count("stored") > 0);
    for (title, outcome) in outcomes.iter() {
        match *outcome {
            "stored" => assert!(held.contains(title), "acknowledged {title} was lost"),
            "refused" => assert!(
                !held.contains(title),
                "{title} was stored but answered with an error"
            ),
            _ => {}
        }
    }
    node.stop();
}
