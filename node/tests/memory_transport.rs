//! The node's behaviour and event loop run on any transport: two nodes over libp2p's
//! in-memory transport gossip a record and refuse a node they do not trust, and a
//! trusted node that misbehaves on purpose (built on the same libp2p stack, with a sync
//! codec that sends any bytes) is disconnected while honest records keep flowing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeSet;
use std::time::Duration;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use libp2p::core::transport::MemoryTransport;
use libp2p::core::upgrade::Version;
use libp2p::identity::Keypair;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, Transport as _, gossipsub, identify, noise, ping,
    request_response, yamux,
};
use serde_bytes::ByteBuf;
use steunpunt_node::actor::{self, NodeHandle};
use steunpunt_node::clock::now;
use steunpunt_node::config::NetworkConfig;
use steunpunt_node::data_dir::PeerEntry;
use steunpunt_node::network::behaviour::records_topic;
use steunpunt_node::network::codec::SYNC_PROTOCOL;
use steunpunt_node::network::{Behaviour, Client, EventLoop, build_behaviour};
use steunpunt_node::replication::{Draft, Engine, EngineConfig, IngestOutcome, Policy, Replicator};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::authoring::{Revision, author as author_record};
use steunpunt_protocol::sync::{Initiator, MAX_SYNC_MESSAGE_BYTES, SyncRequest};
use steunpunt_protocol::testing::{self, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, Record, RecordId, RecordKey, SteunpuntId};
use steunpunt_testkit::eventually_async;

struct TestNode {
    id: SteunpuntId,
    addr: Multiaddr,
    handle: NodeHandle,
    client: Client,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::watch::Sender<bool>,
}

/// A swarm on the in-memory transport with the behaviour `behaviour` builds.
fn memory_swarm<B: NetworkBehaviour>(
    keypair: Keypair,
    behaviour: impl FnOnce(&Keypair) -> B,
) -> Swarm<B> {
    libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_other_transport(|key| {
            MemoryTransport::default()
                .upgrade(Version::V1)
                .authenticate(noise::Config::new(key).unwrap())
                .multiplex(yamux::Config::default())
        })
        .unwrap()
        .with_behaviour(behaviour)
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build()
}

fn swarm(keypair: Keypair) -> Swarm<Behaviour> {
    memory_swarm(keypair, |key| {
        build_behaviour(key, &NetworkConfig::default(), None).unwrap()
    })
}

/// A node on `/memory/PORT` that vouches for `vouches` and lists its PeerId in its profile,
/// holding `known` records of others from the start.
fn node(n: u8, port: u64, vouches: &[SteunpuntId], known: &[Record]) -> TestNode {
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
    for record in known {
        let outcome = engine.ingest(record.envelope().shared_bytes(), now());
        assert!(matches!(outcome, IngestOutcome::Accepted(_)), "{outcome:?}");
    }
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

/// `from` peers with `to`.
async fn peer(from: &TestNode, to: &TestNode) {
    from.handle
        .add_peer(PeerEntry {
            multiaddr: to.addr.clone(),
            steunpunt: to.id,
            label: "buur".into(),
        })
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_on_the_memory_transport_gossip_and_refuse_strangers() {
    let ids: Vec<SteunpuntId> = (1..=3).map(|n| key(n).id()).collect();
    let a = node(1, 7_000_001, &[ids[1]], &[]);
    let b = node(2, 7_000_002, &[ids[0]], &[]);
    let stranger = node(3, 7_000_003, &[ids[0]], &[]);
    peer(&a, &b).await;
    peer(&b, &a).await;
    peer(&stranger, &a).await;
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
        id_from_title: false,
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

/// A sync codec that sends and reads any bytes: what a misbehaving node writes.
#[derive(Debug, Clone, Default)]
struct RawCodec;

impl request_response::Codec for RawCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        io.take(1 << 24).read_to_end(&mut bytes).await?;
        Ok(bytes)
    }

    async fn read_response<T: AsyncRead + Unpin + Send>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        self.read_request(p, io).await
    }

    async fn write_request<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        bytes: Vec<u8>,
    ) -> std::io::Result<()> {
        io.write_all(&bytes).await?;
        io.close().await
    }

    async fn write_response<T: AsyncWrite + Unpin + Send>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
        bytes: Vec<u8>,
    ) -> std::io::Result<()> {
        self.write_request(p, io, bytes).await
    }
}

/// The node's own gossip, identify and ping, with a sync that sends anything.
#[derive(NetworkBehaviour)]
struct Rogue {
    gossipsub: gossipsub::Behaviour,
    sync: request_response::Behaviour<RawCodec>,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

fn rogue_swarm(keypair: Keypair) -> Swarm<Rogue> {
    memory_swarm(keypair, |key| {
        let honest = build_behaviour(key, &NetworkConfig::default(), None).unwrap();
        Rogue {
            gossipsub: honest.gossipsub,
            sync: request_response::Behaviour::with_codec(
                RawCodec,
                [(SYNC_PROTOCOL, request_response::ProtocolSupport::Full)],
                request_response::Config::default(),
            ),
            identify: honest.identify,
            ping: honest.ping,
        }
    })
}

/// Runs the rogue's swarm for `time`, answering every sync request with garbage; whether
/// it is connected to `to` at the end. Returns early once `to` closes the last connection.
async fn pump(swarm: &mut Swarm<Rogue>, to: PeerId, time: Duration) -> bool {
    let until = tokio::time::Instant::now() + time;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(until) => return swarm.is_connected(&to),
            event = swarm.select_next_some() => match event {
                SwarmEvent::Behaviour(RogueEvent::Sync(request_response::Event::Message {
                    message: request_response::Message::Request { channel, .. }, ..
                })) => {
                    let _ = swarm.behaviour_mut().sync.send_response(channel, vec![0xff; 64]);
                }
                SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } if peer_id == to => {
                    return false;
                }
                _ => {}
            }
        }
    }
}

/// Signs a revision of `kind`/`id` as `author` at `now`, `revision` times over.
fn signed(author: u8, id: &str, title: &str, revisions: usize) -> Vec<Record> {
    let mut made: Vec<Record> = Vec::new();
    for n in 0..revisions {
        let mut vacancy = testing::vacancy();
        vacancy.title = format!("{title} {}", n + 1);
        let revision = Revision {
            kind: Kind::Vacancy,
            id: RecordId::new(id).unwrap(),
            body: Some(Body::Vacancy(vacancy)),
            valid_until: now().plus_ms(30 * DAY_MS),
        };
        let previous = made.last().map(|r| r.payload());
        made.push(author_record(&key(author), previous, revision, now()).unwrap());
    }
    made
}

/// How long each of `count` vacancies published on `from` takes to reach `to`.
async fn honest_traffic(
    from: &TestNode,
    to: &TestNode,
    label: &str,
    count: usize,
) -> Vec<Duration> {
    let mut took = Vec::new();
    for n in 0..count {
        let id = RecordId::new(format!("{label}-{n}")).unwrap();
        let mut vacancy = testing::vacancy();
        vacancy.title = format!("Eerlijke vacature {label} {n}");
        let draft = Draft {
            kind: Kind::Vacancy,
            id: id.clone(),
            id_from_title: false,
            body: Body::Vacancy(vacancy),
            valid_until: Some(now().plus_ms(DAY_MS)),
        };
        let started = std::time::Instant::now();
        from.handle.publish(draft, false).await.unwrap().unwrap();
        let key = RecordKey {
            author: from.id,
            kind: Kind::Vacancy,
            id,
        };
        eventually_async("an honest record to arrive", || async {
            to.handle.get(&key).unwrap().is_some()
        })
        .await;
        took.push(started.elapsed());
    }
    took
}

/// What a rogue does wrong: each alone must get it disconnected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Misdeed {
    /// Gossips records whose signature does not verify.
    BadSignatures,
    /// Sends sync messages that cannot be read, one over the size limit.
    MalformedSync,
    /// Opens sync sessions far faster than any sync needs.
    EndlessSessions,
    /// Offers badly signed records by sync.
    InvalidOffers,
}

/// A rogue node of steunpunt `n`, trusted by the node it attacks.
struct RogueNode {
    n: u8,
    keypair: Keypair,
    profile: Record,
}

impl RogueNode {
    fn new(n: u8) -> Self {
        let keypair = Keypair::generate_ed25519();
        let profile = Revision {
            kind: Kind::Profile,
            id: RecordId::new("profile").unwrap(),
            body: Some(Body::Profile(testing::profile(
                &format!("Steunpunt {n}"),
                vec![keypair.public().to_peer_id().to_string()],
            ))),
            valid_until: now().plus_ms(300 * DAY_MS),
        };
        let profile = author_record(&key(n), None, profile, now()).unwrap();
        Self {
            n,
            keypair,
            profile,
        }
    }

    /// Connects to `to` and waits until gossip flows between them.
    async fn join(&self, to: &TestNode, to_peer: PeerId) -> Swarm<Rogue> {
        let mut swarm = rogue_swarm(self.keypair.clone());
        swarm.dial(to.addr.clone()).unwrap();
        let topic = records_topic().hash();
        let started = std::time::Instant::now();
        while !swarm
            .behaviour()
            .gossipsub
            .all_peers()
            .any(|(p, topics)| *p == to_peer && topics.contains(&&topic))
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "rogue {} never joined the gossip",
                self.n
            );
            pump(&mut swarm, to_peer, Duration::from_millis(100)).await;
        }
        // Until the mesh has formed (heartbeats every 0.7 s).
        pump(&mut swarm, to_peer, Duration::from_secs(2)).await;
        swarm
    }

    /// `count` records of this steunpunt with one bit of the signature flipped.
    fn badly_signed(&self, count: usize) -> Vec<Vec<u8>> {
        signed(self.n, "vals", "Vals getekend", count)
            .into_iter()
            .enumerate()
            .map(|(i, record)| {
                let mut bytes = record.envelope().as_bytes().to_vec();
                bytes[33 + i % 64] ^= 0x01;
                bytes
            })
            .collect()
    }

    /// Does `misdeed` to `to`.
    fn misbehave(&self, swarm: &mut Swarm<Rogue>, to: PeerId, misdeed: Misdeed) {
        let topic = records_topic();
        let mut requests: Vec<Vec<u8>> = Vec::new();
        match misdeed {
            Misdeed::BadSignatures => {
                for bytes in self.badly_signed(30) {
                    let _ = swarm
                        .behaviour_mut()
                        .gossipsub
                        .publish(topic.clone(), bytes);
                }
            }
            Misdeed::MalformedSync => {
                requests.extend(vec![vec![0xde, 0xad, 0xbe, 0xef]; 5]);
                requests.push(vec![0u8; MAX_SYNC_MESSAGE_BYTES + 1]);
            }
            Misdeed::EndlessSessions => {
                let trusted: BTreeSet<SteunpuntId> = [key(1).id(), key(self.n).id()].into();
                for session in 0..25 {
                    let (_, open) = Initiator::open(session, &trusted, []);
                    requests.push(open.encode());
                }
            }
            Misdeed::InvalidOffers => {
                let offer = SyncRequest::Offer {
                    envelopes: self
                        .badly_signed(12)
                        .into_iter()
                        .map(ByteBuf::from)
                        .collect(),
                };
                requests.push(offer.encode());
            }
        }
        for request in requests {
            swarm.behaviour_mut().sync.send_request(&to, request);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misbehaving_trusted_peer_is_disconnected_and_honest_records_keep_flowing() {
    let misdeeds = [
        Misdeed::BadSignatures,
        Misdeed::MalformedSync,
        Misdeed::EndlessSessions,
        Misdeed::InvalidOffers,
    ];
    let rogues: Vec<RogueNode> = (3..).take(misdeeds.len()).map(RogueNode::new).collect();
    // A vouches for B and for every rogue steunpunt, and knows their nodes.
    let mut vouches = vec![key(2).id()];
    vouches.extend(rogues.iter().map(|r| key(r.n).id()));
    let profiles: Vec<Record> = rogues.iter().map(|r| r.profile.clone()).collect();
    let a = node(1, 7_100_001, &vouches, &profiles);
    let b = node(2, 7_100_002, &[key(1).id()], &[]);
    peer(&a, &b).await;
    peer(&b, &a).await;
    eventually_async("B to trust the rogues through A", || async {
        rogues
            .iter()
            .all(|r| b.handle.summary().trust.contains(&key(r.n).id()))
    })
    .await;
    let a_peer: PeerId = a.client.status().await.unwrap().peer_id.parse().unwrap();
    let without = honest_traffic(&b, &a, "voor", 10).await;

    // The first rogue behaves at first: two revisions of its own vacancy reach A and pass
    // on to B. Then it does what an honest node may also do, and is not cut off for it: it
    // replays the first revision, and passes on records of an author nobody trusts.
    let first = &rogues[0];
    let mut swarm = first.join(&a, a_peer).await;
    let own = signed(first.n, "eigen", "Vrijwilliger van het eerste steunpunt", 2);
    for record in &own {
        let bytes = record.envelope().as_bytes().to_vec();
        swarm
            .behaviour_mut()
            .gossipsub
            .publish(records_topic(), bytes)
            .unwrap();
    }
    let own_key = own[1].key();
    for node in [&a, &b] {
        let started = std::time::Instant::now();
        while node
            .handle
            .get(&own_key)
            .unwrap()
            .map(|r| r.payload().revision)
            != Some(2)
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the rogue's own vacancy never arrived"
            );
            pump(&mut swarm, a_peer, Duration::from_millis(100)).await;
        }
    }
    let untrusted: Vec<Vec<u8>> = (0..10)
        .flat_map(|n| signed(20, &format!("vreemd-{n}"), "Van een onbekende", 1))
        .map(|r| r.envelope().as_bytes().to_vec())
        .collect();
    for bytes in &untrusted {
        let _ = swarm
            .behaviour_mut()
            .gossipsub
            .publish(records_topic(), bytes.clone());
    }
    let offer = SyncRequest::Offer {
        envelopes: std::iter::once(own[0].envelope().as_bytes().to_vec())
            .chain(untrusted.iter().cloned())
            .map(ByteBuf::from)
            .collect(),
    };
    swarm
        .behaviour_mut()
        .sync
        .send_request(&a_peer, offer.encode());
    assert!(
        pump(&mut swarm, a_peer, Duration::from_secs(3)).await,
        "a replay and untrusted records are not held against a peer"
    );

    let mut during = Vec::new();
    let mut cut_offs = Vec::new();
    for (rogue, misdeed) in rogues.iter().zip(misdeeds) {
        let mut swarm = if rogue.n == first.n {
            std::mem::replace(&mut swarm, rogue_swarm(Keypair::generate_ed25519()))
        } else {
            rogue.join(&a, a_peer).await
        };
        let label = format!("tijdens-{}", rogue.n);
        let started = std::time::Instant::now();
        rogue.misbehave(&mut swarm, a_peer, misdeed);
        let (took, cut_off) = tokio::join!(honest_traffic(&b, &a, &label, 5), async {
            // Sessions are counted per minute, and A reads at most 32 requests at once:
            // the flood comes in waves.
            if misdeed == Misdeed::EndlessSessions {
                for _ in 0..5 {
                    if !pump(&mut swarm, a_peer, Duration::from_millis(300)).await {
                        break;
                    }
                    rogue.misbehave(&mut swarm, a_peer, misdeed);
                }
            }
            let connected = pump(&mut swarm, a_peer, Duration::from_secs(30)).await;
            assert!(
                !connected,
                "A never disconnected the rogue that did {misdeed:?}"
            );
            started.elapsed()
        });
        during.extend(took);
        // What `steunpunt status` and `peer list` show the admin.
        let rogue_peer = rogue.keypair.public().to_peer_id();
        let ban = a.handle.summary().bans.get(&rogue_peer).copied();
        assert!(
            ban.is_some_and(|(until, _)| until.0 > now().0 + 9 * 60_000),
            "A's summary lists the rogue that did {misdeed:?} as refused for ten minutes: {ban:?}"
        );
        cut_offs.push(format!("{misdeed:?} {:.2} s", cut_off.as_secs_f64()));
        // A refuses it when it dials again.
        let _ = swarm.dial(a.addr.clone());
        assert!(
            !pump(&mut swarm, a_peer, Duration::from_secs(2)).await,
            "A let the rogue that did {misdeed:?} back in"
        );
    }
    let status = a.client.status().await.unwrap();
    assert_eq!(
        status.peers.len(),
        1,
        "only B is still connected to A: {status:?}"
    );

    // Nothing it sent wrongly was stored or passed on.
    for node in [&a, &b] {
        let held = node.handle.get(&own_key).unwrap().unwrap();
        assert_eq!(
            held.payload().revision,
            2,
            "the replay did not replace the second revision"
        );
        for rogue in &rogues {
            let vals = signed(rogue.n, "vals", "x", 1)[0].key();
            assert!(
                node.handle.get(&vals).unwrap().is_none(),
                "a badly signed record was stored"
            );
        }
        for n in 0..10 {
            let key = signed(20, &format!("vreemd-{n}"), "x", 1)[0].key();
            assert!(
                node.handle.get(&key).unwrap().is_none(),
                "an untrusted author's record was stored"
            );
        }
    }
    let ms = |d: &[Duration]| {
        let mean = d.iter().map(Duration::as_secs_f64).sum::<f64>() / d.len() as f64 * 1e3;
        let max = d.iter().map(Duration::as_secs_f64).fold(0.0, f64::max) * 1e3;
        format!("mean {mean:.1} ms, max {max:.1} ms")
    };
    println!(
        "honest records B→A: {} without rogues; {} while they misbehaved; \
         disconnected after: {}",
        ms(&without),
        ms(&during),
        cut_offs.join(", ")
    );
}
