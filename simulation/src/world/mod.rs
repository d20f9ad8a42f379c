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

mod checker;
mod network;
mod staff;

use network::{Msg, link};
pub(crate) use staff::{holds, steunpunt};

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steunpunt_node::replication::{EngineConfig, Input, Peer, Policy, Replicator, Timer};
use steunpunt_node::store::MemoryStore;
use steunpunt_protocol::body::Peering;
use steunpunt_protocol::testing::{T0, key};
use steunpunt_protocol::{RecordKey, SteunpuntId, Timestamp};

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

fn node_key(node: usize) -> u8 {
    u8::try_from(node + 1).unwrap_or(u8::MAX)
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
