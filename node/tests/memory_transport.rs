//! The node's behaviour and event loop run on any transport: two nodes over libp2p's
//! in-memory transport gossip a record and refuse a node they do not trust.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libp2p::core::transport::MemoryTransport;
use libp2p::core::upgrade::Version;
use libp2p::identity::Keypair;
use libp2p::{Multiaddr, Swarm, Transport as _, noise, yamux};
use steunpunt_node::config::NetworkConfig;
use steunpunt_node::data_dir::PeerEntry;
use steunpunt_node::network::event_loop::{lock, now};
use steunpunt_node::network::{
    Behaviour, Client, EventLoop, LoopSettings, SharedEngine, build_behaviour,
};
use steunpunt_node::replication::{Engine, EngineConfig};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::testing::{self, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, RecordId, RecordKey, SteunpuntId};

struct TestNode {
    id: SteunpuntId,
    addr: Multiaddr,
    engine: SharedEngine,
    client: Client,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::watch::Sender<bool>,
}

fn swarm(keypair: Keypair) -> Swarm<Behaviour> {
    libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_other_transport(|key| {
            MemoryTransport::default()
                .upgrade(Version::V1)
                .authenticate(noise::Config::new(key).unwrap())
                .multiplex(yamux::Config::default())
        })
        .unwrap()
        .with_behaviour(|key| build_behaviour(key, &NetworkConfig::default()).unwrap())
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build()
}

/// A node on `/memory/PORT` that vouches for `vouches` and lists its PeerId in its profile.
fn node(n: u8, port: u64, vouches: &[SteunpuntId]) -> TestNode {
    let dir = tempfile::tempdir().unwrap();
    let keypair = Keypair::generate_ed25519();
    let peer_id = keypair.public().to_peer_id();
    let mut engine = Engine::open(
        SledStore::open(dir.path()).unwrap(),
        key(n),
        EngineConfig::default(),
        now(),
    )
    .unwrap();
    let until = now().plus_ms(300 * DAY_MS);
    let profile = testing::profile(&format!("Steunpunt {n}"), vec![peer_id.to_string()]);
    engine
        .publish(
            Kind::Profile,
            RecordId::new("profile").unwrap(),
            Body::Profile(profile),
            until,
            now(),
        )
        .unwrap();
    let peering = Body::Peering(testing::peering(vouches, &[]));
    engine
        .publish(
            Kind::Peering,
            RecordId::new("peering").unwrap(),
            peering,
            until,
            now(),
        )
        .unwrap();
    let id = engine.me();
    let engine: SharedEngine = Arc::new(Mutex::new(engine));
    let mut swarm = swarm(keypair);
    let addr: Multiaddr = format!("/memory/{port}").parse().unwrap();
    swarm.listen_on(addr.clone()).unwrap();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let settings = LoopSettings {
        sync_interval: Duration::from_secs(3600),
        max_concurrent_syncs: 4,
        maintenance_interval: Duration::from_secs(3600),
    };
    let (event_loop, client) = EventLoop::new(swarm, Arc::clone(&engine), settings, None, shutdown);
    tokio::spawn(async move {
        event_loop.run().await;
    });
    TestNode {
        id,
        addr: addr.with(libp2p::multiaddr::Protocol::P2p(peer_id)),
        engine,
        client,
        _dir: dir,
        _shutdown: stop,
    }
}

async fn eventually(what: &str, check: impl Fn() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_on_the_memory_transport_gossip_and_refuse_strangers() {
    let ids: Vec<SteunpuntId> = (1..=3).map(|n| key(n).id()).collect();
    let a = node(1, 7_000_001, &[ids[1]]);
    let b = node(2, 7_000_002, &[ids[0]]);
    let stranger = node(3, 7_000_003, &[ids[0]]);
    a.client
        .add_peer(PeerEntry {
            multiaddr: b.addr.clone(),
            steunpunt: b.id,
            label: "b".into(),
        })
        .await
        .unwrap();
    b.client
        .add_peer(PeerEntry {
            multiaddr: a.addr.clone(),
            steunpunt: a.id,
            label: "a".into(),
        })
        .await
        .unwrap();
    stranger
        .client
        .add_peer(PeerEntry {
            multiaddr: a.addr.clone(),
            steunpunt: a.id,
            label: "a".into(),
        })
        .await
        .unwrap();
    // A and B exchange profiles and peerings by sync on connecting.
    eventually("A and B to trust each other's records", || {
        lock(&b.engine).index().keys().any(|k| k.author == a.id)
    })
    .await;

    let mut vacancy = testing::vacancy();
    vacancy.title = "Over het geheugen".into();
    let record = lock(&a.engine)
        .publish(
            Kind::Vacancy,
            RecordId::new("geheugen").unwrap(),
            Body::Vacancy(vacancy),
            now().plus_ms(DAY_MS),
            now(),
        )
        .unwrap();
    // Gossip needs a mesh; retry until the message is out.
    let key = RecordKey {
        author: a.id,
        kind: Kind::Vacancy,
        id: RecordId::new("geheugen").unwrap(),
    };
    let started = Instant::now();
    while lock(&b.engine).get(&key).unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the record never reached B"
        );
        a.client
            .gossip(record.envelope().shared_bytes())
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The stranger dialled A but was refused: it holds nothing of A's.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !lock(&stranger.engine)
            .index()
            .keys()
            .any(|k| k.author == a.id)
    );
    let status = stranger.client.status().await.unwrap();
    assert!(status.peers.is_empty(), "{status:?}");
}
