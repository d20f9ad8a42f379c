//! A stranger keeping libp2p handshakes open (about 160 new connections a second, none
//! of which ever completes) cannot keep a trusted neighbour from connecting.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use socket2::{Domain, Socket, Type};
use steunpunt_testkit::{Daemon, eventually};

const DAEMON: &str = env!("CARGO_BIN_EXE_steunpuntd");

/// The TCP address of the node's libp2p listener.
fn libp2p_address(node: &Daemon) -> SocketAddr {
    let addr = node
        .api
        .status()
        .unwrap()
        .listen_addrs
        .into_iter()
        .find(|a| a.contains("/tcp/"))
        .unwrap();
    let mut parts = addr.split('/').skip(1);
    let ip = parts.nth(1).unwrap();
    let port = parts.nth(1).unwrap();
    format!("{ip}:{port}").parse().unwrap()
}

/// Opens a connection from `source` that never says a word.
fn stall(source: SocketAddr, target: SocketAddr) -> Option<Socket> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).ok()?;
    socket.bind(&source.into()).ok()?;
    socket
        .connect_timeout(&target.into(), Duration::from_millis(200))
        .ok()?;
    Some(socket)
}

#[test]
fn stalled_handshakes_from_a_stranger_do_not_lock_out_a_neighbour() {
    let root = tempfile::tempdir().unwrap();
    let breda = steunpunt_testkit::init(Path::new(DAEMON), root.path(), "Steunpunt Breda", "Breda");
    let tilburg = steunpunt_testkit::init(
        Path::new(DAEMON),
        root.path(),
        "Steunpunt Tilburg",
        "Tilburg",
    );
    let a = Daemon::start(Path::new(DAEMON), &breda);
    let mut b = Daemon::start(Path::new(DAEMON), &tilburg);
    steunpunt_testkit::peer_both(&a.api, &b.api);
    eventually("the neighbours to connect", || {
        !a.api.status().unwrap().peers.is_empty()
    });
    // Tilburg comes back on another port: Breda cannot dial it, it must come in.
    b.stop();
    eventually("Breda to see Tilburg go", || {
        a.api.status().unwrap().peers.is_empty()
    });

    let target = libp2p_address(&a);
    let stop = Arc::new(AtomicBool::new(false));
    let attack = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let source: SocketAddr = "127.0.0.2:0".parse().unwrap();
            let mut open = VecDeque::new();
            let mut made = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if let Some(socket) = stall(source, target) {
                    open.push_back(socket);
                    made += 1;
                }
                if open.len() > 400 {
                    open.pop_front();
                }
                std::thread::sleep(Duration::from_millis(6));
            }
            made
        })
    };
    std::thread::sleep(Duration::from_secs(3));
    let b = Daemon::start(Path::new(DAEMON), &tilburg);
    let took = eventually("Tilburg to connect while the stranger stalls", || {
        !b.api.status().unwrap().peers.is_empty()
    });
    stop.store(true, Ordering::Relaxed);
    let made = attack.join().unwrap();
    println!("{made} stalled connections opened; the neighbour connected after {took:?}");
    assert!(made > 100, "the stranger could not connect at all: {made}");
}
