//! The simulated world: nodes, the virtual network, the event queue, staff operations and
//! faults, and the checker.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steunpunt_node::replication::{
    Engine, EngineConfig, IngestOutcome, ResponderSessions, SyncRun,
};
use steunpunt_node::store::MemoryStore;
use steunpunt_protocol::body::Peering;
use steunpunt_protocol::sync::{SyncRequest, SyncResponse};
use steunpunt_protocol::testing::{self, T0, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{
    Body, Envelope, Kind, Payload, Record, RecordHash, RecordId, RecordKey, SteunpuntId, Timestamp,
    TrustSet,
};

use crate::RunReport;

const MINUTE: u64 = 60 * 1000;

/// Settings of one run. Defaults are the standard scenario.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of the run's random generator.
    pub seed: u64,
    /// Number of nodes (at least 3), one steunpunt each, vouching for ring neighbours.
    pub nodes: usize,
    /// Whether anti-entropy sync runs (off: the negative control, gossip only).
    pub sync: bool,
    /// Staff operations during the chaos phase.
    pub ops: usize,
    /// Length of the chaos phase, in which staff work and faults happen (virtual ms).
    pub chaos_ms: u64,
    /// Faults go on without staff work, so short-lived records (at most 10 minutes) expire
    /// everywhere: it must exceed 10 minutes plus twice the largest clock skew.
    pub settle_ms: u64,
    /// Each node's timer (expiry, flush, sync), jittered by ±25 %.
    pub tick_ms: u64,
    /// Probability that a message is lost.
    pub drop_rate: f64,
    /// Probability that a message is delivered twice.
    pub dup_rate: f64,
    /// Largest message delay; random delays reorder messages.
    pub max_delay_ms: u64,
    /// Crashes per node over the chaos and settle phases, on average.
    pub crashes_per_node: f64,
    /// Short partitions over the chaos and settle phases (a last one lasts until healing).
    pub partitions: usize,
    /// Largest clock skew of a node, either way.
    pub max_skew_ms: u64,
    /// Trust hops of every node.
    pub trust_hops: u8,
    /// Sync rounds after healing before the run counts as not converged.
    pub max_rounds: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            nodes: 12,
            sync: true,
            ops: 60,
            chaos_ms: 10 * MINUTE,
            settle_ms: 22 * MINUTE,
            tick_ms: 15_000,
            drop_rate: 0.1,
            dup_rate: 0.05,
            max_delay_ms: 3_000,
            crashes_per_node: 0.5,
            partitions: 3,
            max_skew_ms: 5 * MINUTE,
            trust_hops: 3,
            max_rounds: 8,
        }
    }
}

enum Msg {
    Gossip(Arc<[u8]>),
    Request { session: u64, bytes: Vec<u8> },
    Response { session: u64, bytes: Vec<u8> },
}

enum Event {
    Deliver {
        from: usize,
        to: usize,
        msg: Msg,
    },
    Tick(usize),
    /// A staff operation; `late` ones (during the final partition) touch only long-lived
    /// records, so nothing they do can expire near the check.
    Op {
        late: bool,
    },
    Crash(usize),
    Restart(usize),
    /// Splits the region in two; healed after a while, or only when the run heals
    /// everything.
    Partition {
        lasting: bool,
    },
    Heal,
}

struct Outgoing {
    peer: usize,
    run: SyncRun,
    started: u64,
}

struct Node {
    id: SteunpuntId,
    store: Arc<MemoryStore>,
    engine: Option<Engine<Arc<MemoryStore>>>,
    sessions: ResponderSessions<usize>,
    outgoing: BTreeMap<u64, Outgoing>,
    skew: i64,
    group: u8,
}

/// What staff were told about a record: the latest acknowledged revision.
#[derive(Debug, Clone, Copy)]
struct Ack {
    revision: u64,
    withdrawn: bool,
    valid_until: Timestamp,
}

struct World {
    config: SimConfig,
    rng: ChaCha8Rng,
    now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), Event>,
    nodes: Vec<Node>,
    acked: BTreeMap<RecordKey, Ack>,
    /// The acknowledged peering record of every steunpunt: ground truth for trust.
    peerings: BTreeMap<SteunpuntId, Peering>,
    next_session: u64,
    next_record: u64,
    acknowledgements: u64,
    messages: u64,
    faults: bool,
    trace: blake3::Hasher,
}

fn engine_config(config: &SimConfig) -> EngineConfig {
    EngineConfig {
        trust_hops: config.trust_hops,
        ..EngineConfig::default()
    }
}

impl World {
    fn new(config: SimConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let nodes = (0..config.nodes)
            .map(|i| {
                let skew =
                    rng.random_range(-(config.max_skew_ms as i64)..=config.max_skew_ms as i64);
                let store = Arc::new(MemoryStore::default());
                let id = key(node_key(i)).id();
                let engine = Engine::open(
                    Arc::clone(&store),
                    key(node_key(i)),
                    engine_config(&config),
                    T0,
                )
                .ok();
                Node {
                    id,
                    store,
                    engine,
                    sessions: ResponderSessions::default(),
                    outgoing: BTreeMap::new(),
                    skew,
                    group: 0,
                }
            })
            .collect();
        Self {
            config,
            rng,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            nodes,
            acked: BTreeMap::new(),
            peerings: BTreeMap::new(),
            next_session: 1,
            next_record: 0,
            acknowledgements: 0,
            messages: 0,
            faults: true,
            trace: blake3::Hasher::new(),
        }
    }

    fn trace(&mut self, parts: &[u64]) {
        for p in parts {
            self.trace.update(&p.to_le_bytes());
        }
    }

    fn clock(&self, node: usize) -> Timestamp {
        Timestamp(
            T0.0.saturating_add_signed(self.nodes[node].skew)
                .saturating_add(self.now),
        )
    }

    fn schedule(&mut self, at: u64, event: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), event);
    }

    fn up(&self, node: usize) -> bool {
        self.nodes[node].engine.is_some()
    }

    /// Two nodes are connected when both are up, in the same partition, and each trusts
    /// the other's steunpunt (trust-gated connections, DESIGN §5).
    fn connected(&self, a: usize, b: usize) -> bool {
        let (Some(ea), Some(eb)) = (&self.nodes[a].engine, &self.nodes[b].engine) else {
            return false;
        };
        a != b
            && self.nodes[a].group == self.nodes[b].group
            && ea.trust().contains(&self.nodes[b].id)
            && eb.trust().contains(&self.nodes[a].id)
    }

    fn peers(&self, node: usize) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|p| self.connected(node, *p))
            .collect()
    }

    fn send(&mut self, from: usize, to: usize, msg: Msg) {
        self.messages += 1;
        if self.faults && self.rng.random_bool(self.config.drop_rate) {
            self.trace(&[self.now, 1, from as u64, to as u64]);
            return;
        }
        let copies = if self.faults && self.rng.random_bool(self.config.dup_rate) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let delay = self.rng.random_range(1..=self.config.max_delay_ms);
            let msg = clone_msg(&msg);
            self.schedule(self.now + delay, Event::Deliver { from, to, msg });
        }
    }

    fn gossip(&mut self, from: usize, bytes: Arc<[u8]>, except: Option<usize>) {
        for peer in self.peers(from) {
            if Some(peer) != except {
                self.send(from, peer, Msg::Gossip(Arc::clone(&bytes)));
            }
        }
    }

    fn jittered_tick(&mut self) -> u64 {
        let t = self.config.tick_ms;
        self.rng.random_range(t * 3 / 4..=t * 5 / 4)
    }

    // ----- staff operations -------------------------------------------------------------

    fn acknowledge(&mut self, node: usize, record: &Record) {
        let p = record.payload();
        self.acknowledgements += 1;
        self.acked.insert(
            record.key(),
            Ack {
                revision: p.revision,
                withdrawn: p.is_withdrawal(),
                valid_until: p.valid_until,
            },
        );
        if let Some(Body::Peering(peering)) = &p.body {
            self.peerings.insert(self.nodes[node].id, peering.clone());
        }
        self.trace(&[
            self.now,
            2,
            node as u64,
            p.revision,
            u64::from(p.is_withdrawal()),
        ]);
        self.gossip(node, record.envelope().shared_bytes(), None);
    }

    fn publish(
        &mut self,
        node: usize,
        kind: Kind,
        id: RecordId,
        body: Body,
        valid_until: Timestamp,
    ) -> bool {
        let now = self.clock(node);
        let Some(engine) = self.nodes[node].engine.as_mut() else {
            return false;
        };
        match engine.publish(kind, id, body, valid_until, now) {
            Ok(record) => {
                self.acknowledge(node, &record);
                true
            }
            Err(_) => false,
        }
    }

    fn own_live_vacancies(&self, node: usize, late: bool) -> Vec<(RecordId, Ack)> {
        let me = self.nodes[node].id;
        let horizon = self.clock(node).plus_ms(if late { DAY_MS } else { 0 });
        self.acked
            .iter()
            .filter(|(k, a)| {
                k.author == me && k.kind == Kind::Vacancy && !a.withdrawn && a.valid_until > horizon
            })
            .map(|(k, a)| (k.id.clone(), *a))
            .collect()
    }

    fn vacancy_body(&mut self) -> Body {
        let mut v = testing::vacancy();
        v.title = format!("Vacature {}", self.rng.random::<u32>());
        Body::Vacancy(v)
    }

    fn op(&mut self, late: bool) {
        let node = self.rng.random_range(0..self.nodes.len());
        if !self.up(node) {
            self.trace(&[self.now, 3, node as u64]);
            return;
        }
        let roll = self.rng.random_range(0..100);
        let now = self.clock(node);
        match roll {
            0..45 => {
                self.next_record += 1;
                let id = RecordId::new(format!("v{}", self.next_record))
                    .unwrap_or_else(|_| unreachable!());
                let validity = if !late && self.rng.random_bool(0.5) {
                    self.rng.random_range(3 * MINUTE..=10 * MINUTE)
                } else {
                    30 * DAY_MS
                };
                let body = self.vacancy_body();
                self.publish(node, Kind::Vacancy, id, body, now.plus_ms(validity));
            }
            45..65 => {
                let live = self.own_live_vacancies(node, late);
                if !live.is_empty() {
                    let (id, ack) = live[self.rng.random_range(0..live.len())].clone();
                    let body = self.vacancy_body();
                    self.publish(node, Kind::Vacancy, id, body, ack.valid_until);
                }
            }
            65..82 => {
                let live = self.own_live_vacancies(node, late);
                if !live.is_empty() {
                    let (id, _) = live[self.rng.random_range(0..live.len())].clone();
                    if let Some(engine) = self.nodes[node].engine.as_mut()
                        && let Ok(record) = engine.withdraw(Kind::Vacancy, id, now)
                    {
                        self.acknowledge(node, &record);
                    }
                }
            }
            82..94 => self.change_trust(node),
            _ if late => {}
            _ => self.equivocate(node),
        }
    }

    fn ring_neighbours(&self, node: usize) -> [usize; 2] {
        let n = self.nodes.len();
        [(node + n - 1) % n, (node + 1) % n]
    }

    fn peering_of(&self, node: usize) -> Peering {
        self.peerings
            .get(&self.nodes[node].id)
            .cloned()
            .unwrap_or_default()
    }

    fn publish_peering(&mut self, node: usize, peering: Peering) -> bool {
        let until = self.clock(node).plus_ms(300 * DAY_MS);
        self.publish(
            node,
            Kind::Peering,
            RecordId::peering(),
            Body::Peering(peering),
            until,
        )
    }

    /// Toggles a chord (a vouch beyond the ring) on both sides, or a block on one side.
    fn change_trust(&mut self, node: usize) {
        let other = self.rng.random_range(0..self.nodes.len());
        if other == node || self.ring_neighbours(node).contains(&other) {
            return;
        }
        let other_id = self.nodes[other].id;
        let node_id = self.nodes[node].id;
        let mut mine = self.peering_of(node);
        if self.rng.random_bool(0.25) {
            // Block or unblock `other`, unless we vouch for it.
            if mine.vouches_for(&other_id) {
                return;
            }
            if mine.blocks(&other_id) {
                mine.blocks.retain(|e| e.steunpunt != other_id);
            } else {
                mine.blocks.push(entry(other_id));
            }
            self.publish_peering(node, mine);
            return;
        }
        // Peering is an admin act on both sides: both must be up, neither may block the other.
        let mut theirs = self.peering_of(other);
        if !self.up(other) || mine.blocks(&other_id) || theirs.blocks(&node_id) {
            return;
        }
        if mine.vouches_for(&other_id) {
            mine.vouches.retain(|e| e.steunpunt != other_id);
            theirs.vouches.retain(|e| e.steunpunt != node_id);
        } else {
            mine.vouches.push(entry(other_id));
            theirs.vouches.push(entry(node_id));
        }
        if self.publish_peering(node, mine) && !self.publish_peering(other, theirs) {
            unreachable!("peering publish on an up node failed");
        }
    }

    /// The author signs two different revision-1 versions of one record and sends each to
    /// a different neighbour. Not acknowledged to anyone: the nodes must agree on one.
    fn equivocate(&mut self, node: usize) {
        self.next_record += 1;
        let id = RecordId::new(format!("e{}", self.next_record)).unwrap_or_else(|_| unreachable!());
        let now = self.clock(node);
        let [left, right] = self.ring_neighbours(node);
        for (variant, to) in [(0, left), (1, right)] {
            let mut v = testing::vacancy();
            v.title = format!("Dubbele vacature versie {variant}");
            let payload = Payload {
                version: 1,
                kind: Kind::Vacancy,
                id: id.clone(),
                revision: 1,
                updated_at: now,
                valid_until: now.plus_ms(30 * DAY_MS),
                body: Some(Body::Vacancy(v)),
            };
            if let Ok(envelope) = Envelope::sign(&key(node_key(node)), &payload.encode()) {
                self.send(node, to, Msg::Gossip(envelope.shared_bytes()));
            }
        }
    }

    // ----- events -------------------------------------------------------------------------

    fn deliver(&mut self, from: usize, to: usize, msg: Msg) {
        let now = self.clock(to);
        let target = &mut self.nodes[to];
        let Some(engine) = target.engine.as_mut() else {
            self.trace(&[self.now, 4, to as u64]);
            return;
        };
        match msg {
            Msg::Gossip(bytes) => {
                let outcome = engine.ingest(Arc::clone(&bytes), now);
                let accepted = matches!(outcome, IngestOutcome::Accepted(_));
                self.trace(&[self.now, 5, to as u64, outcome_code(&outcome)]);
                if accepted {
                    self.gossip(to, bytes, Some(from));
                }
            }
            Msg::Request { session, bytes } => {
                let response = match SyncRequest::decode(&bytes) {
                    Ok(request) => engine.serve_sync(&mut target.sessions, from, request, now),
                    Err(e) => SyncResponse::Refused {
                        reason: e.to_string(),
                    },
                };
                self.trace(&[self.now, 6, to as u64, session]);
                self.send(
                    to,
                    from,
                    Msg::Response {
                        session,
                        bytes: response.encode(),
                    },
                );
            }
            Msg::Response { session, bytes } => {
                let Some(mut out) = self.nodes[to].outgoing.remove(&session) else {
                    return;
                };
                let Some(engine) = self.nodes[to].engine.as_mut() else {
                    return;
                };
                let step = SyncResponse::decode(&bytes)
                    .map_err(|e| e.to_string())
                    .and_then(|response| {
                        out.run
                            .on_response(engine, response, now)
                            .map_err(|e| e.to_string())
                    });
                self.trace(&[self.now, 7, to as u64, session, u64::from(step.is_ok())]);
                if let Ok(Some(request)) = step {
                    let peer = out.peer;
                    self.nodes[to].outgoing.insert(session, out);
                    self.send(
                        to,
                        peer,
                        Msg::Request {
                            session,
                            bytes: request.encode(),
                        },
                    );
                }
            }
        }
    }

    fn tick(&mut self, node: usize) {
        let next = self.now + self.jittered_tick();
        self.schedule(next, Event::Tick(node));
        let now = self.clock(node);
        let Some(engine) = self.nodes[node].engine.as_mut() else {
            return;
        };
        let expired = engine.expire(now).map(|e| e.len()).unwrap_or(0);
        let renewed = engine.renew_own(now).unwrap_or_default();
        let _ = engine.flush();
        self.trace(&[self.now, 8, node as u64, expired as u64]);
        for record in renewed {
            self.acknowledge(node, &record);
        }
        // Sessions without an answer for a minute were lost in the network.
        let clock = self.now;
        self.nodes[node]
            .outgoing
            .retain(|_, o| clock - o.started < MINUTE);
        if !self.config.sync || self.nodes[node].outgoing.len() >= 2 {
            return;
        }
        let peers = self.peers(node);
        if peers.is_empty() {
            return;
        }
        let peer = peers[self.rng.random_range(0..peers.len())];
        let session = self.next_session;
        self.next_session += 1;
        let Some(engine) = self.nodes[node].engine.as_ref() else {
            return;
        };
        if let Ok((run, request)) = SyncRun::start(engine, session, now) {
            self.nodes[node].outgoing.insert(
                session,
                Outgoing {
                    peer,
                    run,
                    started: self.now,
                },
            );
            self.send(
                node,
                peer,
                Msg::Request {
                    session,
                    bytes: request.encode(),
                },
            );
        }
    }

    fn crash(&mut self, node: usize) {
        if self.nodes[node].engine.take().is_none() {
            return;
        }
        let n = &mut self.nodes[node];
        n.store.crash();
        n.outgoing.clear();
        n.sessions = ResponderSessions::default();
        self.trace(&[self.now, 9, node as u64]);
        let back = self.now + self.rng.random_range(5_000..=90_000);
        self.schedule(back, Event::Restart(node));
    }

    fn restart(&mut self, node: usize) {
        if self.up(node) {
            return;
        }
        let now = self.clock(node);
        let engine = Engine::open(
            Arc::clone(&self.nodes[node].store),
            key(node_key(node)),
            engine_config(&self.config),
            now,
        );
        self.trace(&[self.now, 10, node as u64, u64::from(engine.is_ok())]);
        self.nodes[node].engine = engine.ok();
    }

    fn partition(&mut self, lasting: bool) {
        for i in 0..self.nodes.len() {
            self.nodes[i].group = u8::from(self.rng.random_bool(0.5));
        }
        if !lasting {
            let heal = self.now + self.rng.random_range(20_000..=120_000);
            self.schedule(heal, Event::Heal);
        }
        self.trace(&[self.now, 11, u64::from(lasting)]);
    }

    fn heal(&mut self) {
        for node in &mut self.nodes {
            node.group = 0;
        }
        self.trace(&[self.now, 12]);
    }

    fn run_until(&mut self, end: u64) {
        while let Some(entry) = self.queue.first_entry() {
            let (at, _) = *entry.key();
            if at > end {
                break;
            }
            let event = entry.remove();
            self.now = at;
            match event {
                Event::Deliver { from, to, msg } => self.deliver(from, to, msg),
                Event::Tick(node) => self.tick(node),
                Event::Op { late } => self.op(late),
                Event::Crash(node) => self.crash(node),
                Event::Restart(node) => self.restart(node),
                Event::Partition { lasting } => self.partition(lasting),
                Event::Heal => self.heal(),
            }
        }
        self.now = end;
    }

    // ----- the run ------------------------------------------------------------------------

    fn setup(&mut self) {
        for node in 0..self.nodes.len() {
            let profile = testing::profile(&format!("Steunpunt {node}"), Vec::new());
            let until = self.clock(node).plus_ms(300 * DAY_MS);
            self.publish(
                node,
                Kind::Profile,
                RecordId::profile(),
                Body::Profile(profile),
                until,
            );
            let peering = Peering {
                vouches: self
                    .ring_neighbours(node)
                    .iter()
                    .map(|n| entry(self.nodes[*n].id))
                    .collect(),
                blocks: Vec::new(),
            };
            self.publish_peering(node, peering);
            let first = self.rng.random_range(0..self.config.tick_ms);
            self.schedule(first, Event::Tick(node));
        }
        let faulty = self.config.chaos_ms + self.config.settle_ms - 2 * MINUTE;
        for _ in 0..self.config.ops {
            let at = self.rng.random_range(0..self.config.chaos_ms);
            self.schedule(at, Event::Op { late: false });
        }
        for _ in 0..self.config.ops / 5 {
            let at = self.rng.random_range(faulty..faulty + MINUTE);
            self.schedule(at, Event::Op { late: true });
        }
        let crashes = (self.config.crashes_per_node * self.nodes.len() as f64).round() as usize;
        for _ in 0..crashes {
            let at = self.rng.random_range(0..faulty);
            let node = self.rng.random_range(0..self.nodes.len());
            self.schedule(at, Event::Crash(node));
        }
        for _ in 0..self.config.partitions {
            let at = self.rng.random_range(0..faulty);
            self.schedule(at, Event::Partition { lasting: false });
        }
        // The last minutes before healing the region is split, so the sync rounds after
        // healing have real work to do.
        self.schedule(faulty, Event::Partition { lasting: true });
    }

    /// Ends all faults: heals partitions, restarts crashed nodes, drops what is in flight.
    fn heal_everything(&mut self) {
        self.faults = false;
        self.queue.clear();
        self.heal();
        for node in 0..self.nodes.len() {
            self.restart(node);
            self.nodes[node].outgoing.clear();
        }
    }

    /// One sync round after healing: every node expires what is due, then syncs with each
    /// connected peer in turn, over a loss-free network.
    fn sync_round(&mut self) {
        for node in 0..self.nodes.len() {
            let now = self.clock(node);
            if let Some(engine) = self.nodes[node].engine.as_mut() {
                let _ = engine.expire(now);
            }
        }
        if !self.config.sync {
            return;
        }
        for node in 0..self.nodes.len() {
            for peer in self.peers(node) {
                self.sync_now(node, peer);
            }
        }
    }

    fn sync_now(&mut self, node: usize, peer: usize) {
        let session = self.next_session;
        self.next_session += 1;
        let (now, peer_now) = (self.clock(node), self.clock(peer));
        let Some(engine) = self.nodes[node].engine.as_ref() else {
            return;
        };
        let Ok((mut run, mut request)) = SyncRun::start(engine, session, now) else {
            return;
        };
        loop {
            self.messages += 2;
            let (left, right) = two(&mut self.nodes, node, peer);
            let (Some(engine), Some(peer_engine)) = (left.engine.as_mut(), right.engine.as_mut())
            else {
                return;
            };
            let response = match SyncRequest::decode(&request.encode()) {
                Ok(r) => peer_engine.serve_sync(&mut right.sessions, node, r, peer_now),
                Err(_) => return,
            };
            let Ok(response) = SyncResponse::decode(&response.encode()) else {
                return;
            };
            match run.on_response(engine, response, now) {
                Ok(Some(next)) => request = next,
                _ => break,
            }
        }
        self.trace(&[self.now, 13, node as u64, peer as u64, run.stats().accepted]);
    }

    fn expected_trust(&self, node: usize) -> TrustSet {
        TrustSet::compute(self.nodes[node].id, &self.peerings, self.config.trust_hops)
    }

    fn check(&self) -> Check {
        let mut check = Check::default();
        let mut groups: BTreeMap<Vec<SteunpuntId>, BTreeSet<RecordHash>> = BTreeMap::new();
        for node in 0..self.nodes.len() {
            let Some(engine) = &self.nodes[node].engine else {
                continue;
            };
            let now = self.clock(node);
            let trust = self.expected_trust(node);
            for (key, ack) in &self.acked {
                if !trust.contains(&key.author) || ack.withdrawn || ack.valid_until <= now {
                    continue;
                }
                let held = engine.index().get(key).map(|m| m.version.revision);
                if held.is_none_or(|r| r < ack.revision) {
                    check.lost += 1;
                }
            }
            for (key, meta) in engine.index() {
                if !trust.contains(&key.author) {
                    check.untrusted_held += 1;
                }
                let withdrawn = self
                    .acked
                    .get(key)
                    .is_some_and(|a| a.withdrawn && meta.version.revision < a.revision);
                if withdrawn || meta.valid_until <= now {
                    check.resurrected += 1;
                }
            }
            let members: Vec<SteunpuntId> = trust.iter().map(|(id, _)| *id).collect();
            groups
                .entry(members)
                .or_default()
                .insert(engine.fingerprint());
        }
        check.diverged = groups.values().map(|prints| prints.len() as u64 - 1).sum();
        check
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Check {
    lost: u64,
    resurrected: u64,
    untrusted_held: u64,
    diverged: u64,
}

impl Check {
    fn passed(&self) -> bool {
        *self == Check::default()
    }
}

fn node_key(node: usize) -> u8 {
    u8::try_from(node + 1).unwrap_or(u8::MAX)
}

fn entry(id: SteunpuntId) -> steunpunt_protocol::body::PeeringEntry {
    steunpunt_protocol::body::PeeringEntry {
        steunpunt: id,
        label: id.short(),
    }
}

fn clone_msg(msg: &Msg) -> Msg {
    match msg {
        Msg::Gossip(b) => Msg::Gossip(Arc::clone(b)),
        Msg::Request { session, bytes } => Msg::Request {
            session: *session,
            bytes: bytes.clone(),
        },
        Msg::Response { session, bytes } => Msg::Response {
            session: *session,
            bytes: bytes.clone(),
        },
    }
}

fn outcome_code(outcome: &IngestOutcome) -> u64 {
    match outcome {
        IngestOutcome::Accepted(_) => 0,
        IngestOutcome::Duplicate => 1,
        IngestOutcome::Stale { .. } => 2,
        IngestOutcome::Untrusted => 3,
        IngestOutcome::Expired => 4,
        IngestOutcome::FromFuture => 5,
        IngestOutcome::Invalid(_) => 6,
        IngestOutcome::NotStored(_) => 7,
    }
}

fn two<T>(items: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    if a < b {
        let (left, right) = items.split_at_mut(b);
        (&mut left[a], &mut right[0])
    } else {
        let (left, right) = items.split_at_mut(a);
        (&mut right[0], &mut left[b])
    }
}

/// Runs one simulation and checks it.
pub fn run(config: SimConfig) -> RunReport {
    let seed = config.seed;
    let max_rounds = config.max_rounds;
    let mut world = World::new(config);
    world.setup();
    let end = world.config.chaos_ms + world.config.settle_ms;
    world.run_until(end);
    world.heal_everything();
    let mut rounds = 0;
    let mut check = world.check();
    while !check.passed() && rounds < max_rounds {
        rounds += 1;
        world.sync_round();
        check = world.check();
    }
    let converged = check.passed();
    let equivocations_detected = world
        .nodes
        .iter()
        .filter_map(|n| n.engine.as_ref())
        .map(|e| e.counters().equivocations)
        .sum();
    RunReport {
        seed,
        converged,
        rounds_to_converge: if converged { rounds } else { max_rounds + 1 },
        lost: check.lost,
        resurrected: check.resurrected,
        untrusted_held: check.untrusted_held,
        diverged: check.diverged,
        equivocations_detected,
        acknowledged: world.acknowledgements,
        messages: world.messages,
        trace_hash: world.trace.finalize().to_hex().to_string(),
    }
}
