//! The node's behaviour and event loop run on any transport: two nodes over libp2p's
//! in-memory transport gossip a record and refuse a node they do not trust.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::time::Duration;

use libp2p::core::transport::MemoryTransport;
use libp2p::core::upgrade::Version;
use libp2p::identity::Keypair;
use libp2p::{Multiaddr, Swarm, Transport as _, noise, yamux};
use steunpunt_node::actor::{self, NodeHandle, now};
use steunpunt_node::config::NetworkConfig;
use steunpunt_node::data_dir::PeerEntry;
use steunpunt_node::network::{Behaviour, Client, EventLoop, build_behaviour};
use steunpunt_node::replication::{Draft, Engine, EngineConfig, Policy, Replicator};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::testing::{self, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, RecordId, RecordKey, SteunpuntId};
use steunpunt_testkit::eventually_async;

struct TestNode {
    id: SteunpuntId,
    addr: Multiaddr,
    handle: NodeHandle,
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
    let store = engine.store().clone();
    let policy = Policy {
        sync_interval_ms: 3_600_000,
        maintenance_interval_ms: 3_600_000,
        ..Policy::default()
    };
    let replicator = Replicator::new(engine, policy, u64::from(n));
    let (owner_link, swarm_link) = actor::links();
    let (handle, _owner) =
        actor::spawn(replicator, store, None, owner_link, tracing::Span::none()).unwrap();
    let mut swarm = swarm(keypair);
    let addr: Multiaddr = format!("/memory/{port}").parse().unwrap();
    swarm.listen_on(addr.clone()).unwrap();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let (event_loop, client) = EventLoop::new(swarm, swarm_link, None, shutdown);
    tokio::spawn(async move {
        event_loop.run().await;
    });
    TestNode {
        id,
        addr: addr.with(libp2p::multiaddr::Protocol::P2p(peer_id)),
        handle,
        client,
        _dir: dir,
        _shutdown: stop,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_on_the_memory_transport_gossip_and_refuse_strangers() {
    let ids: Vec<SteunpuntId> = (1..=3).map(|n| key(n).id()).collect();
    let a = node(1, 7_000_001, &[ids[1]]);
    let b = node(2, 7_000_002, &[ids[0]]);
    let stranger = node(3, 7_000_003, &[ids[0]]);
    a.handle
        .add_peer(PeerEntry {
            multiaddr: b.addr.clone(),
            steunpunt: b.id,
            label: "b".into(),
        })
        .await
        .unwrap()
        .unwrap();
    b.handle
        .add_peer(PeerEntry {
            multiaddr: a.addr.clone(),
            steunpunt: a.id,
            label: "a".into(),
        })
        .await
        .unwrap()
        .unwrap();
    stranger
        .handle
        .add_peer(PeerEntry {
            multiaddr: a.addr.clone(),
            steunpunt: a.id,
            label: "a".into(),
        })
        .await
        .unwrap()
        .unwrap();
    // A and B exchange profiles and peerings by sync on connecting.
    eventually_async("A and B to trust each other's records", || async {
        b.handle.summary().trust.contains(&a.id)
            && b.handle.get(&RecordKey::profile(a.id)).unwrap().is_some()
    })
    .await;

    let mut vacancy = testing::vacancy();
    vacancy.title = "Over het geheugen".into();
    let draft = Draft {
        kind: Kind::Vacancy,
        id: RecordId::new("geheugen").unwrap(),
        body: Body::Vacancy(vacancy),
        valid_until: Some(now().plus_ms(DAY_MS)),
    };
    a.handle.publish(draft, false).await.unwrap().unwrap();
    let key = RecordKey {
        author: a.id,
        kind: Kind::Vacancy,
        id: RecordId::new("geheugen").unwrap(),
    };
    eventually_async("the record to reach B", || async {
        b.handle.get(&key).unwrap().is_some()
    })
    .await;
    // The stranger dialled A but was refused: it holds nothing of A's.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        stranger
            .handle
            .get(&RecordKey::profile(a.id))
            .unwrap()
            .is_none()
    );
    let status = stranger.client.status().await.unwrap();
    assert!(status.peers.is_empty(), "{status:?}");
}
