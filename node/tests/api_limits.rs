//! The API's bounds, against a real `steunpuntd`: a half-sent request does not hold up
//! the stop, idle connections are closed and cannot use up the node's files, a publish
//! answered with an error was never stored, even when the node stops mid-load, and only
//! requests addressed to the API itself are answered.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use steunpunt_api::{Client, ClientError};
use steunpunt_protocol::Kind;
use steunpunt_testkit::{Daemon, titles_of, vacancy};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

/// The API's address, as `host:port`.
fn api_address(node: &Daemon) -> String {
    node.api.base().trim_start_matches("http://").to_owned()
}

/// The status line and body of a GET of `path` sent with `host` as its `Host`.
fn get_with_host(address: &str, path: &str, host: &str, token: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

#[test]
fn requests_for_another_host_are_refused_on_every_route() {
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(
        Path::new(DAEMON),
        root.path(),
        "Steunpunt Veghel",
        "Meierijstad",
    );
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let address = api_address(&node);
    let port = address.rsplit(':').next().unwrap().to_owned();
    let token = std::fs::read_to_string(dir.join("api.token")).unwrap();
    let token = token.trim();
    for path in ["/v1/status", "/metrics", "/v1/openapi.json", "/nergens"] {
        // A name a web page could make resolve to 127.0.0.1 (DNS rebinding).
        let (status, body) = get_with_host(
            &address,
            path,
            &format!("rebind.voorbeeld.nl:{port}"),
            token,
        );
        assert!(status.contains(" 403 "), "{path}: {status}");
        assert!(body.contains("host_not_allowed"), "{path}: {body}");
    }
    for host in [
        address.clone(),
        format!("localhost:{port}"),
        "localhost".to_owned(),
    ] {
        let (status, _) = get_with_host(&address, "/v1/status", &host, token);
        assert!(status.contains(" 200 "), "{host}: {status}");
    }
    let (status, _) = get_with_host(&address, "/v1/status", "localhost:1", token);
    assert!(status.contains(" 403 "), "another port: {status}");
    node.stop();
}

#[test]
fn a_half_sent_request_does_not_hold_up_the_stop() {
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Oss", "Oss");
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let mut half = TcpStream::connect(api_address(&node)).unwrap();
    half.write_all(b"GET /v1/status HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let took = node.stop_within(Duration::from_secs(30));
    println!("stopped {took:?} after SIGTERM with a half-sent request open");
}

#[test]
fn idle_connections_are_closed_and_cannot_exhaust_the_api() {
    const IDLE: usize = 400;
    let root = tempfile::tempdir().unwrap();
    let dir = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Uden", "Uden");
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let address = api_address(&node);
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
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let me = node.api.status().unwrap().steunpunt_id.to_string();
    let api = node.api.clone();
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
    node.stop_within(Duration::from_secs(30));
    done.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let mut node = Daemon::start(Path::new(DAEMON), &dir);
    let held = titles_of(&node.api, &me);
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
