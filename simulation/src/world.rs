//! The simulated world: nodes running the daemon's own [`Replicator`], the virtual network
//! (connections, gossip forwarding, request-response with its timeout), the event queue,
//! staff operations and faults, and the checker.
//!
//! The world decides nothing a node would decide: whom to dial, when to sync, when to
//! redial, expire or flush all come out of the replicator as outputs. The world only
//! models the transport, the way libp2p behaves: a dial to a node that does not allow us
//! completes its handshake and is closed at once by the other side; a gossip message is
//! forwarded to the other connected peers once the receiver accepts it; a request not
//! answered within 30 s fails.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steunpunt_node::replication::{
    Draft, Engine, EngineConfig, Input, Output, Peer, Policy, Replicator, Timer, Verdict,
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

pub(crate) const MINUTE: u64 = 60 * 1000;
/// libp2p request-response's timeout in the daemon.
const REQUEST_TIMEOUT_MS: u64 = 30_000;
/// How long a dial to an unreachable node takes to fail.
const DIAL_TIMEOUT_MS: u64 = 5_000;

/// A simulated node as the replicator names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SimPeer(pub usize);

const NODE_PREFIX: &str = "12D3KooWSimNode";
const BASE58_DIGITS: &[u8; 10] = b"123456789A";

impl SimPeer {
    /// The text this node lists in its profile: shaped like a libp2p PeerId, as profiles
    /// require, with the node's number in it.
    pub fn node_id(self) -> String {
        let digits = format!("{:025}", self.0);
        let mapped: String = digits
            .bytes()
            .map(|d| BASE58_DIGITS[usize::from(d - b'0')] as char)
            .collect();
        format!("{NODE_PREFIX}{mapped}")
    }
}

impl fmt::Display for SimPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node{}", self.0)
    }
}

impl Peer for SimPeer {
    type Addr = ();

    fn from_node_id(node: &str) -> Option<Self> {
        let digits = node.strip_prefix(NODE_PREFIX)?;
        let mut n = 0usize;
        for c in digits.bytes() {
            let d = BASE58_DIGITS.iter().position(|b| *b == c)?;
            n = n.checked_mul(10)?.checked_add(d)?;
        }
        Some(Self(n))
    }
}

/// Settings of one run. Defaults are the standard scenario.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of the run's random generator.
    pub seed: u64,
    /// Number of nodes (at least 3), one steunpunt each, vouching for ring neighbours.
    pub nodes: usize,
    /// Whether the sync protocol works (off: the negative control, gossip only).
    pub sync: bool,
    /// Staff operations during the chaos phase.
    pub ops: usize,
    /// Length of the chaos phase, in which staff work and faults happen (virtual ms).
    pub chaos_ms: u64,
    /// Faults go on without staff work, so short-lived records (at most 10 minutes) expire
    /// everywhere: it must exceed 10 minutes plus twice the largest clock skew.
    pub settle_ms: u64,
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
    /// Sync intervals after healing before the run counts as not converged.
    pub max_rounds: u32,
    /// The replication policy: the daemon's own unless a scenario changes it.
    pub policy: Policy,
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
            drop_rate: 0.1,
            dup_rate: 0.05,
            max_delay_ms: 3_000,
            crashes_per_node: 0.5,
            partitions: 3,
            max_skew_ms: 5 * MINUTE,
            trust_hops: 3,
            max_rounds: 10,
            policy: Policy::default(),
        }
    }
}

enum Msg {
    Gossip(Arc<[u8]>),
    Request { request: u64, bytes: Vec<u8> },
    Response { request: u64, bytes: Vec<u8> },
}

enum Event {
    Deliver {
        from: usize,
        to: usize,
        msg: Msg,
    },
    /// An input for one incarnation of a node (a timer, a failed dial, a request timeout).
    Input {
        node: usize,
        epoch: u64,
        input: Input<SimPeer>,
    },
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

type Rep = Replicator<Arc<MemoryStore>, SimPeer>;

pub(crate) struct Node {
    id: SteunpuntId,
    store: Arc<MemoryStore>,
    rep: Option<Rep>,
    /// Incarnation: inputs meant for an earlier one are dropped.
    epoch: u64,
    skew: i64,
    group: u8,
    /// The admin's peer list (`peers.json`): the nodes it was told to dial.
    targets: BTreeSet<usize>,
    /// Gossip messages waiting for the replicator's verdict.
    gossip: BTreeMap<u64, (usize, Arc<[u8]>)>,
    /// Sync requests waiting for the replicator's answer: the asking node and its id.
    replies: BTreeMap<u64, (usize, u64)>,
    next_handle: u64,
}

/// What staff were told about a record: the latest acknowledged revision.
#[derive(Debug, Clone, Copy)]
struct Ack {
    revision: u64,
    withdrawn: bool,
    valid_until: Timestamp,
}

pub(crate) struct World {
    pub(crate) config: SimConfig,
    rng: ChaCha8Rng,
    pub(crate) now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), Event>,
    /// Inputs handled at the current instant, in order.
    immediate: VecDeque<(usize, Input<SimPeer>)>,
    pub(crate) nodes: Vec<Node>,
    links: BTreeSet<(usize, usize)>,
    acked: BTreeMap<RecordKey, Ack>,
    /// The acknowledged peering record of every steunpunt: ground truth for trust.
    peerings: BTreeMap<SteunpuntId, Peering>,
    next_record: u64,
    acknowledgements: u64,
    messages: u64,
    /// Dials by (from, to), with their virtual times.
    pub(crate) dials: BTreeMap<(usize, usize), Vec<u64>>,
    faults: bool,
    trace: blake3::Hasher,
}

fn engine_config(config: &SimConfig) -> EngineConfig {
    EngineConfig {
        trust_hops: config.trust_hops,
        ..EngineConfig::default()
    }
}

fn link(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

impl World {
    pub(crate) fn new(config: SimConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let nodes = (0..config.nodes)
            .map(|i| {
                let skew =
                    rng.random_range(-(config.max_skew_ms as i64)..=config.max_skew_ms as i64);
                Node {
                    id: key(node_key(i)).id(),
                    store: Arc::new(MemoryStore::default()),
                    rep: None,
                    epoch: 0,
                    skew,
                    group: 0,
                    targets: BTreeSet::new(),
                    gossip: BTreeMap::new(),
                    replies: BTreeMap::new(),
                    next_handle: 0,
                }
            })
            .collect();
        let mut world = Self {
            config,
            rng,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            immediate: VecDeque::new(),
            nodes,
            links: BTreeSet::new(),
            acked: BTreeMap::new(),
            peerings: BTreeMap::new(),
            next_record: 0,
            acknowledgements: 0,
            messages: 0,
            dials: BTreeMap::new(),
            faults: true,
            trace: blake3::Hasher::new(),
        };
        for node in 0..world.nodes.len() {
            world.restart(node);
        }
        world
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

    fn schedule_input(&mut self, after_ms: u64, node: usize, input: Input<SimPeer>) {
        let epoch = self.nodes[node].epoch;
        self.schedule(self.now + after_ms, Event::Input { node, epoch, input });
    }

    pub(crate) fn up(&self, node: usize) -> bool {
        self.nodes[node].rep.is_some()
    }

    pub(crate) fn linked(&self, a: usize, b: usize) -> bool {
        self.links.contains(&link(a, b))
    }

    fn linked_peers(&self, node: usize) -> Vec<usize> {
        self.links
            .iter()
            .filter_map(|&(a, b)| {
                if a == node {
                    Some(b)
                } else if b == node {
                    Some(a)
                } else {
                    None
                }
            })
            .collect()
    }

    fn allows(&self, node: usize, peer: usize) -> bool {
        self.nodes[node]
            .rep
            .as_ref()
            .is_some_and(|r| r.allowed().contains_key(&SimPeer(peer)))
    }

    // ----- the transport ------------------------------------------------------------------

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

    /// Hands `input` to `node` now, after whatever is already waiting at this instant.
    fn inject(&mut self, node: usize, input: Input<SimPeer>) {
        self.immediate.push_back((node, input));
    }

    /// Runs the replicators until nothing more happens at this instant.
    fn pump(&mut self) {
        while let Some((node, input)) = self.immediate.pop_front() {
            let now = self.clock(node);
            let Some(rep) = self.nodes[node].rep.as_mut() else {
                continue;
            };
            rep.handle(input, now);
            self.carry_out(node);
        }
    }

    /// Carries out what `node`'s replicator asked for.
    fn carry_out(&mut self, node: usize) {
        let outputs: Vec<Output<SimPeer>> = match self.nodes[node].rep.as_mut() {
            Some(rep) => rep.drain().collect(),
            None => return,
        };
        for output in outputs {
            match output {
                Output::Dial { peer, .. } => self.dial(node, peer.0),
                Output::Allow(_) => {}
                Output::Disallow(peer) => {
                    if self.links.remove(&link(node, peer.0)) {
                        self.inject(node, Input::Disconnected(peer));
                        self.inject(peer.0, Input::Disconnected(SimPeer(node)));
                    }
                }
                Output::Publish(bytes) => {
                    for peer in self.linked_peers(node) {
                        self.send(node, peer, Msg::Gossip(Arc::clone(&bytes)));
                    }
                }
                Output::Validated { id, from, verdict } => {
                    if let Some((_, bytes)) = self.nodes[node].gossip.remove(&id)
                        && verdict == Verdict::Accept
                    {
                        for peer in self.linked_peers(node) {
                            if peer != from.0 {
                                self.send(node, peer, Msg::Gossip(Arc::clone(&bytes)));
                            }
                        }
                    }
                }
                Output::Request {
                    peer,
                    request,
                    message,
                } => {
                    if !self.config.sync || !self.linked(node, peer.0) {
                        self.inject(node, Input::SyncFailed { request });
                    } else {
                        self.schedule_input(
                            REQUEST_TIMEOUT_MS,
                            node,
                            Input::SyncFailed { request },
                        );
                        let bytes = message.encode();
                        self.send(node, peer.0, Msg::Request { request, bytes });
                    }
                }
                Output::Respond { reply, message } => {
                    if let Some((asker, request)) = self.nodes[node].replies.remove(&reply)
                        && self.linked(node, asker)
                    {
                        let bytes = message.encode();
                        self.send(node, asker, Msg::Response { request, bytes });
                    }
                }
                Output::Schedule { after_ms, timer } => {
                    self.schedule_input(after_ms, node, Input::Timer(timer));
                }
            }
        }
    }

    /// A dial, as libp2p would see it: unreachable nodes time out; a node that does not
    /// allow us completes the handshake and closes the connection at once.
    fn dial(&mut self, from: usize, to: usize) {
        self.dials.entry((from, to)).or_default().push(self.now);
        self.trace(&[self.now, 14, from as u64, to as u64]);
        if self.linked(from, to) {
            return;
        }
        let reachable = self.up(to) && self.nodes[from].group == self.nodes[to].group;
        if !reachable {
            let delay = self.rng.random_range(DIAL_TIMEOUT_MS / 2..=DIAL_TIMEOUT_MS);
            self.schedule_input(delay, from, Input::DialFailed(SimPeer(to)));
        } else if self.allows(to, from) {
            self.links.insert(link(from, to));
            self.inject(from, Input::Connected(SimPeer(to)));
            self.inject(to, Input::Connected(SimPeer(from)));
        } else {
            self.inject(from, Input::Connected(SimPeer(to)));
            self.inject(from, Input::Disconnected(SimPeer(to)));
            self.inject(to, Input::Refused(SimPeer(from)));
        }
    }

    fn deliver(&mut self, from: usize, to: usize, msg: Msg) {
        // A message travels on a connection: none, no delivery.
        if !self.linked(from, to) {
            self.trace(&[self.now, 4, to as u64]);
            return;
        }
        self.nodes[to].next_handle += 1;
        let handle = self.nodes[to].next_handle;
        match msg {
            Msg::Gossip(bytes) => {
                self.nodes[to]
                    .gossip
                    .insert(handle, (from, Arc::clone(&bytes)));
                self.trace(&[self.now, 5, to as u64]);
                self.inject(
                    to,
                    Input::Gossip {
                        from: SimPeer(from),
                        id: handle,
                        bytes,
                    },
                );
            }
            Msg::Request { request, bytes } => {
                self.trace(&[self.now, 6, to as u64, request]);
                match SyncRequest::decode(&bytes) {
                    Ok(message) => {
                        self.nodes[to].replies.insert(handle, (from, request));
                        self.inject(
                            to,
                            Input::SyncRequest {
                                from: SimPeer(from),
                                reply: handle,
                                request: message,
                            },
                        );
                    }
                    Err(e) => {
                        let refused = SyncResponse::Refused {
                            reason: e.to_string(),
                        };
                        let bytes = refused.encode();
                        self.send(to, from, Msg::Response { request, bytes });
                    }
                }
            }
            Msg::Response { request, bytes } => {
                self.trace(&[self.now, 7, to as u64, request]);
                let input = match SyncResponse::decode(&bytes) {
                    Ok(response) => Input::SyncResponse { request, response },
                    Err(_) => Input::SyncFailed { request },
                };
                self.inject(to, input);
            }
        }
    }

    // ----- staff and admin operations -----------------------------------------------------

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
    }

    /// Runs a staff operation on `node`'s replicator; acknowledges what it returns.
    fn staff(
        &mut self,
        node: usize,
        work: impl FnOnce(&mut Rep, Timestamp) -> Option<Record>,
    ) -> bool {
        let now = self.clock(node);
        let Some(rep) = self.nodes[node].rep.as_mut() else {
            return false;
        };
        let record = work(rep, now);
        if let Some(record) = &record {
            self.acknowledge(node, record);
        }
        self.carry_out(node);
        self.pump();
        record.is_some()
    }

    fn publish(&mut self, node: usize, id: RecordId, body: Body, valid_until: Timestamp) -> bool {
        let draft = Draft {
            kind: Kind::Vacancy,
            id,
            id_from_title: false,
            body,
            valid_until: Some(valid_until),
        };
        self.staff(node, |rep, now| {
            rep.publish_draft(draft, false, now).ok().map(|(r, _)| r)
        })
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
                self.publish(node, id, body, now.plus_ms(validity));
            }
            45..65 => {
                let live = self.own_live_vacancies(node, late);
                if !live.is_empty() {
                    let (id, ack) = live[self.rng.random_range(0..live.len())].clone();
                    let body = self.vacancy_body();
                    self.publish(node, id, body, ack.valid_until);
                }
            }
            65..82 => {
                let live = self.own_live_vacancies(node, late);
                if !live.is_empty() {
                    let (id, _) = live[self.rng.random_range(0..live.len())].clone();
                    self.staff(node, |rep, now| rep.withdraw(Kind::Vacancy, id, now).ok());
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
        self.staff(node, |rep, now| {
            rep.change_peering(|p| *p = peering, now).ok()
        })
    }

    /// What `steunpunt peer add` does on `node`: vouch for `other` and dial its node.
    pub(crate) fn peer_add(&mut self, node: usize, other: usize) -> bool {
        let other_id = self.nodes[other].id;
        let mut mine = self.peering_of(node);
        mine.blocks.retain(|e| e.steunpunt != other_id);
        if !mine.vouches_for(&other_id) {
            mine.vouches.push(entry(other_id));
        }
        if !self.publish_peering(node, mine) {
            return false;
        }
        self.nodes[node].targets.insert(other);
        self.add_target(node, other);
        true
    }

    fn add_target(&mut self, node: usize, other: usize) {
        let id = self.nodes[other].id;
        if let Some(rep) = self.nodes[node].rep.as_mut() {
            rep.add_target(SimPeer(other), (), id, id.short());
            self.carry_out(node);
            self.pump();
        }
    }

    /// What `steunpunt peer remove` does on `node`.
    fn peer_remove(&mut self, node: usize, other: usize) -> bool {
        let other_id = self.nodes[other].id;
        let mut mine = self.peering_of(node);
        mine.vouches.retain(|e| e.steunpunt != other_id);
        if !self.publish_peering(node, mine) {
            return false;
        }
        self.nodes[node].targets.remove(&other);
        if let Some(rep) = self.nodes[node].rep.as_mut() {
            rep.remove_target(&SimPeer(other));
            self.carry_out(node);
            self.pump();
        }
        true
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
        let theirs = self.peering_of(other);
        if !self.up(other) || mine.blocks(&other_id) || theirs.blocks(&node_id) {
            return;
        }
        let done = if mine.vouches_for(&other_id) {
            self.peer_remove(node, other) && self.peer_remove(other, node)
        } else {
            self.peer_add(node, other) && self.peer_add(other, node)
        };
        if !done {
            unreachable!("peering on an up node failed");
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

    // ----- faults -------------------------------------------------------------------------

    pub(crate) fn crash(&mut self, node: usize) {
        if self.nodes[node].rep.take().is_none() {
            return;
        }
        let n = &mut self.nodes[node];
        n.store.crash();
        n.epoch += 1;
        n.gossip.clear();
        n.replies.clear();
        for peer in self.linked_peers(node) {
            self.links.remove(&link(node, peer));
            self.inject(peer, Input::Disconnected(SimPeer(node)));
        }
        self.pump();
        self.trace(&[self.now, 9, node as u64]);
    }

    /// Starts `node` as the daemon does: open the engine on its store, publish the profile
    /// if it changed, dial the saved peers.
    pub(crate) fn restart(&mut self, node: usize) {
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
        let Ok(engine) = engine else {
            return;
        };
        let seed = self.rng.random();
        let mut rep = Replicator::new(engine, self.config.policy.clone(), seed);
        rep.start();
        let profile = testing::profile(&format!("Steunpunt {node}"), Vec::new());
        if let Ok(Some(record)) = rep.ensure_profile(profile, &SimPeer(node).node_id(), now) {
            self.acknowledge(node, &record);
        }
        let n = &mut self.nodes[node];
        n.epoch += 1;
        n.rep = Some(rep);
        self.carry_out(node);
        for other in self.nodes[node].targets.clone() {
            self.add_target(node, other);
        }
        self.pump();
    }

    fn partition(&mut self, lasting: bool) {
        for i in 0..self.nodes.len() {
            self.nodes[i].group = u8::from(self.rng.random_bool(0.5));
        }
        let cut: Vec<(usize, usize)> = self
            .links
            .iter()
            .filter(|(a, b)| self.nodes[*a].group != self.nodes[*b].group)
            .copied()
            .collect();
        for (a, b) in cut {
            self.links.remove(&(a, b));
            self.inject(a, Input::Disconnected(SimPeer(b)));
            self.inject(b, Input::Disconnected(SimPeer(a)));
        }
        self.pump();
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

    pub(crate) fn run_until(&mut self, end: u64) {
        while let Some(entry) = self.queue.first_entry() {
            let (at, _) = *entry.key();
            if at > end {
                break;
            }
            let event = entry.remove();
            self.now = at;
            match event {
                Event::Deliver { from, to, msg } => self.deliver(from, to, msg),
                Event::Input { node, epoch, input } => {
                    if self.nodes[node].epoch == epoch {
                        if let Input::Timer(Timer::Sync) = &input {
                            self.trace(&[self.now, 8, node as u64]);
                        }
                        self.inject(node, input);
                    }
                }
                Event::Op { late } => self.op(late),
                Event::Crash(node) => {
                    self.crash(node);
                    let back = self.now + self.rng.random_range(5_000..=90_000);
                    self.schedule(back, Event::Restart(node));
                }
                Event::Restart(node) => self.restart(node),
                Event::Partition { lasting } => self.partition(lasting),
                Event::Heal => self.heal(),
            }
            self.pump();
        }
        self.now = end;
    }

    // ----- the run ------------------------------------------------------------------------

    fn setup(&mut self) {
        for node in 0..self.nodes.len() {
            for other in self.ring_neighbours(node) {
                self.peer_add(node, other);
            }
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

    /// Ends all faults: no more staff work, crashes or partitions; the network stops
    /// losing and duplicating; crashed nodes come back. What is in flight stays in flight,
    /// and the nodes' own timers go on.
    fn heal_everything(&mut self) {
        self.faults = false;
        self.queue.retain(|_, e| {
            matches!(
                e,
                Event::Deliver { .. } | Event::Input { .. } | Event::Restart(_)
            )
        });
        self.heal();
        for node in 0..self.nodes.len() {
            self.restart(node);
        }
    }

    fn expected_trust(&self, node: usize) -> TrustSet {
        TrustSet::compute(self.nodes[node].id, &self.peerings, self.config.trust_hops)
    }

    /// Nodes that can connect: one dials the other (its admin added it) and the other
    /// lets it in (added it too, or trusts its steunpunt). Only neighbours are dialled:
    /// profiles carry no addresses.
    fn can_link(&self, a: usize, b: usize, trust: &[TrustSet]) -> bool {
        let lets_in = |to: usize, from: usize| {
            self.nodes[to].targets.contains(&from) || trust[to].contains(&self.nodes[from].id)
        };
        (self.nodes[a].targets.contains(&b) && lets_in(b, a))
            || (self.nodes[b].targets.contains(&a) && lets_in(a, b))
    }

    /// For each author, the nodes its records can reach: along connections, through nodes
    /// that trust it (a node does not relay records of an author it does not trust, for
    /// example one it blocks).
    fn reach(&self, trust: &[TrustSet]) -> Vec<BTreeSet<usize>> {
        let n = self.nodes.len();
        (0..n)
            .map(|author| {
                let id = self.nodes[author].id;
                let mut seen = BTreeSet::from([author]);
                let mut queue = VecDeque::from([author]);
                while let Some(at) = queue.pop_front() {
                    for next in 0..n {
                        if !seen.contains(&next)
                            && trust[next].contains(&id)
                            && self.can_link(at, next, trust)
                        {
                            seen.insert(next);
                            queue.push_back(next);
                        }
                    }
                }
                seen
            })
            .collect()
    }

    fn check(&self) -> Check {
        let mut check = Check::default();
        let trust: Vec<TrustSet> = (0..self.nodes.len())
            .map(|n| self.expected_trust(n))
            .collect();
        let reach = self.reach(&trust);
        let author_node: BTreeMap<SteunpuntId, usize> = (0..self.nodes.len())
            .map(|n| (self.nodes[n].id, n))
            .collect();
        let reaches = |author: &SteunpuntId, node: usize| {
            author_node
                .get(author)
                .is_some_and(|a| reach[*a].contains(&node))
        };
        let mut groups: BTreeMap<Vec<SteunpuntId>, BTreeSet<RecordHash>> = BTreeMap::new();
        for node in 0..self.nodes.len() {
            let Some(rep) = &self.nodes[node].rep else {
                continue;
            };
            let engine = rep.engine();
            let now = self.clock(node);
            let trust = &trust[node];
            for (key, ack) in &self.acked {
                if !trust.contains(&key.author) || ack.withdrawn || ack.valid_until <= now {
                    continue;
                }
                if !reaches(&key.author, node) {
                    check.unreachable += 1;
                    continue;
                }
                let held = engine.index().get(key).map(|m| m.version.revision);
                if held.is_none_or(|r| r < ack.revision) {
                    check.lost += 1;
                }
            }
            let mut print = blake3::Hasher::new();
            for (key, meta) in engine.index() {
                if !trust.contains(&key.author) {
                    check.untrusted_held += 1;
                }
                // Expiry is local: it must hold whether or not anything reaches the node.
                if meta.valid_until <= now {
                    check.resurrected += 1;
                }
                if !reaches(&key.author, node) {
                    continue;
                }
                print.update(&meta.version.hash.0);
                let withdrawn = self
                    .acked
                    .get(key)
                    .is_some_and(|a| a.withdrawn && meta.version.revision < a.revision);
                if withdrawn {
                    check.resurrected += 1;
                }
            }
            // Nodes that trust, and are reached by, the same authors must hold the same.
            let members: Vec<SteunpuntId> = trust
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| reaches(id, node))
                .collect();
            groups
                .entry(members)
                .or_default()
                .insert(RecordHash(*print.finalize().as_bytes()));
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
    /// (node, record) pairs no path of connections can deliver: not a failure.
    unreachable: u64,
}

impl Check {
    fn passed(&self) -> bool {
        self.lost == 0 && self.resurrected == 0 && self.untrusted_held == 0 && self.diverged == 0
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
        Msg::Request { request, bytes } => Msg::Request {
            request: *request,
            bytes: bytes.clone(),
        },
        Msg::Response { request, bytes } => Msg::Response {
            request: *request,
            bytes: bytes.clone(),
        },
    }
}

/// Runs one simulation and checks it.
pub fn run(config: SimConfig) -> RunReport {
    let seed = config.seed;
    let max_rounds = config.max_rounds;
    let round_ms = config.policy.sync_interval_ms;
    let mut world = World::new(config);
    world.setup();
    let end = world.config.chaos_ms + world.config.settle_ms;
    world.run_until(end);
    world.heal_everything();
    let mut rounds = 0;
    let mut check = world.check();
    while !check.passed() && rounds < max_rounds {
        rounds += 1;
        let until = world.now + round_ms;
        world.run_until(until);
        check = world.check();
    }
    let converged = check.passed();
    let equivocations_detected = world
        .nodes
        .iter()
        .filter_map(|n| n.rep.as_ref())
        .map(|r| r.engine().counters().equivocations)
        .sum();
    RunReport {
        seed,
        converged,
        rounds_to_converge: if converged { rounds } else { max_rounds + 1 },
        lost: check.lost,
        resurrected: check.resurrected,
        untrusted_held: check.untrusted_held,
        diverged: check.diverged,
        unreachable: check.unreachable,
        equivocations_detected,
        acknowledged: world.acknowledgements,
        messages: world.messages,
        trace_hash: world.trace.finalize().to_hex().to_string(),
    }
}

impl World {
    /// A random duration in `low..=high` milliseconds (for scenarios).
    pub(crate) fn random_ms(&mut self, low: u64, high: u64) -> u64 {
        self.rng.random_range(low..=high)
    }

    /// Staff on `node` publish a new long-lived vacancy (for scenarios).
    pub(crate) fn publish_vacancy(&mut self, node: usize) -> Option<RecordKey> {
        self.next_record += 1;
        let id = RecordId::new(format!("v{}", self.next_record)).ok()?;
        let body = self.vacancy_body();
        let until = self.clock(node).plus_ms(30 * DAY_MS);
        self.publish(node, id.clone(), body, until)
            .then(|| RecordKey {
                author: self.nodes[node].id,
                kind: Kind::Vacancy,
                id,
            })
    }
}

impl World {
    /// Staff on `node` ask for a sync with every neighbour now (`POST /v1/sync`).
    pub(crate) fn sync_now(&mut self, node: usize) {
        let now = self.clock(node);
        if let Some(rep) = self.nodes[node].rep.as_mut() {
            rep.sync_all(now);
        }
        self.carry_out(node);
        self.pump();
    }

    /// Offences `node` booked against its peers since its last start, and the peers it
    /// refuses now (for scenarios).
    pub(crate) fn conduct(&self, node: usize) -> (u64, usize) {
        self.nodes[node]
            .rep
            .as_ref()
            .map_or((0, 0), |r| (r.offences(), r.bans().count()))
    }
}

/// Records held by `node` (for scenarios).
pub(crate) fn holds(world: &World, node: usize, key: &RecordKey) -> bool {
    world.nodes[node]
        .rep
        .as_ref()
        .is_some_and(|r| r.engine().index().contains_key(key))
}

/// The steunpunt of `node` (for scenarios).
pub(crate) fn steunpunt(world: &World, node: usize) -> SteunpuntId {
    world.nodes[node].id
}
