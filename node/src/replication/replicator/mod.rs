//! The replication policy as a sans-IO state machine: when to sync and with whom, which
//! nodes may connect, whom to dial and how fast to redial, when to expire, renew and
//! flush. The daemon's libp2p adapter and the simulation's virtual network both drive
//! this one [`Replicator`], so the simulation's checker covers the policy itself.
//!
//! Everything goes in as an [`Input`] with the current time and comes out as an
//! [`Output`]; timers are outputs too ([`Output::Schedule`]), fired back as
//! [`Input::Timer`]. It never sleeps, reads a clock or touches a socket, and its only
//! randomness (timer jitter, session ids) comes from a seeded generator.

mod neighbours;
mod recovery;
mod runs;

pub use neighbours::Neighbour;
use neighbours::{Target, Unanswered};
use recovery::Recovery;
use runs::Run;
pub use runs::SyncsStarted;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::{Debug, Display};
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steunpunt_protocol::body::{Peering, Profile};
use steunpunt_protocol::sync::{SyncRequest, SyncResponse};
use steunpunt_protocol::{Kind, Record, RecordId, SteunpuntId, Timestamp};
use tracing::{debug, info, warn};

use super::conduct::{Conduct, Offence};
use super::engine::{Draft, DraftOutcome, Engine, EngineError, IngestOutcome, Verdict};
use super::sync::ResponderSessions;
use crate::store::{Store, StoreError};

/// A node on the other end, as the transport names it.
pub trait Peer: Clone + Ord + Debug + Display + Send + 'static {
    /// Where to dial it.
    type Addr: Clone + Debug + Send + 'static;
    /// The peer a profile's `nodes` entry names, if it names one this transport knows.
    fn from_node_id(node: &str) -> Option<Self>;
}

/// Timing and bounds of the policy; times in milliseconds.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Time between syncs with every connected peer (jittered ±10 %).
    pub sync_interval_ms: u64,
    /// Most sync runs open at once.
    pub max_concurrent_syncs: usize,
    /// Time between expiry and renewal passes.
    pub maintenance_interval_ms: u64,
    /// Records learned from peers are flushed to disk at most this long after arriving.
    pub flush_delay_ms: u64,
    /// First redial delay after a failed or refused connection; doubles per failure.
    pub redial_min_ms: u64,
    /// Longest redial delay.
    pub redial_max_ms: u64,
    /// Connection attempts that end without a sync answer before the admin is told that
    /// the neighbour has not peered back.
    pub unanswered_notice_after: u32,
    /// Most locally published records kept while no gossip peer is there.
    pub max_pending_gossip: usize,
    /// A sync run without an answer for this long is given up (the transport's own
    /// request timeout normally ends it first).
    pub run_timeout_ms: u64,
    /// Time between passes that erase removed and replaced records from disk (when there
    /// are any): well within the hour the erasure is promised in.
    pub erase_interval_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            sync_interval_ms: 60_000,
            max_concurrent_syncs: 4,
            maintenance_interval_ms: 60_000,
            flush_delay_ms: 200,
            redial_min_ms: 1_000,
            redial_max_ms: 300_000,
            unanswered_notice_after: 3,
            max_pending_gossip: 256,
            run_timeout_ms: 120_000,
            erase_interval_ms: 1_800_000,
        }
    }
}

/// A timer the replicator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timer<P> {
    /// Sync with every connected peer.
    Sync,
    /// Expire, renew, recompute who may connect.
    Maintain,
    /// Flush records learned from peers.
    Flush,
    /// Dial a neighbour again; `attempt` tells stale timers apart.
    Redial {
        /// Whom.
        peer: P,
        /// Which scheduling of it.
        attempt: u64,
    },
    /// A peer's ban has run out.
    Unban(P),
    /// A sync with this peer was asked for sooner than [`MIN_OPEN_GAP_MS`] after the
    /// last one: it starts now.
    SyncPeer(P),
    /// Erase removed and replaced records from disk.
    Erase,
}

/// Something that happened: on the network, or a timer.
#[derive(Debug)]
pub enum Input<P: Peer> {
    /// A connection to `peer` is up (the first one).
    Connected(P),
    /// The last connection to `peer` closed.
    Disconnected(P),
    /// Dialling `peer` failed.
    DialFailed(P),
    /// An inbound connection from `peer` was refused: it is not one of the nodes we trust.
    Refused(P),
    /// Local discovery found `peer` at `addr`.
    Discovered(P, P::Addr),
    /// A gossip message; `id` comes back in [`Output::Validated`].
    Gossip {
        /// Who forwarded it.
        from: P,
        /// The transport's handle for it.
        id: u64,
        /// The envelope bytes.
        bytes: Arc<[u8]>,
    },
    /// Gossip could not go out for want of peers; keep it until one joins.
    GossipUnsent(Arc<[u8]>),
    /// A peer joined the gossip topic.
    GossipPeerJoined,
    /// A sync request; `reply` comes back in [`Output::Respond`].
    SyncRequest {
        /// From whom.
        from: P,
        /// The transport's handle for the answer.
        reply: u64,
        /// The request.
        request: SyncRequest,
    },
    /// The answer to our request `request`.
    SyncResponse {
        /// Which request ([`Output::Request`]).
        request: u64,
        /// The answer.
        response: SyncResponse,
    },
    /// Our request `request` got no answer (timeout, closed connection).
    SyncFailed {
        /// Which request.
        request: u64,
    },
    /// A sync message from `peer` could not be read: malformed, or over the size limit.
    Malformed(P),
    /// A timer fired.
    Timer(Timer<P>),
}

/// Something for the transport to do.
#[derive(Debug)]
pub enum Output<P: Peer> {
    /// Dial `peer` at `addr`.
    Dial {
        /// Whom.
        peer: P,
        /// Where.
        addr: P::Addr,
    },
    /// Let `peer` connect.
    Allow(P),
    /// Refuse `peer` from now on and close its connections.
    Disallow(P),
    /// Gossip these envelope bytes.
    Publish(Arc<[u8]>),
    /// The verdict on gossip message `id` from `from`.
    Validated {
        /// Which message.
        id: u64,
        /// Who forwarded it.
        from: P,
        /// Forward, drop, or drop and penalise.
        verdict: Verdict,
    },
    /// Send a sync request.
    Request {
        /// To whom.
        peer: P,
        /// Our handle for it, named again in [`Input::SyncResponse`] or [`Input::SyncFailed`].
        request: u64,
        /// The message.
        message: SyncRequest,
    },
    /// Answer sync request `reply`.
    Respond {
        /// Which request ([`Input::SyncRequest`]).
        reply: u64,
        /// The answer.
        message: SyncResponse,
    },
    /// Fire `timer` after `after_ms`.
    Schedule {
        /// Delay in milliseconds.
        after_ms: u64,
        /// Which.
        timer: Timer<P>,
    },
}

/// The replication policy of one node over its [`Engine`].
pub struct Replicator<S: Store, P: Peer> {
    engine: Engine<S>,
    policy: Policy,
    rng: ChaCha8Rng,
    sessions: ResponderSessions<P>,
    runs: BTreeMap<u64, Run<P>>,
    syncing: BTreeSet<P>,
    /// When we last opened a sync session with each connected peer.
    last_open: BTreeMap<P, Timestamp>,
    /// Peers whose next sync waits for [`MIN_OPEN_GAP_MS`] (a [`Timer::SyncPeer`] is set).
    deferred: BTreeSet<P>,
    targets: BTreeMap<P, Target<P::Addr>>,
    allowed: BTreeMap<P, Option<SteunpuntId>>,
    connected: BTreeSet<P>,
    refused: BTreeMap<P, Timestamp>,
    conduct: Conduct<P>,
    /// Offences booked against peers since start (each counted once per booking).
    offences: u64,
    pending_gossip: VecDeque<Arc<[u8]>>,
    trust_generation: u64,
    next_session: u64,
    next_request: u64,
    flush_pending: bool,
    outputs: VecDeque<Output<P>>,
    /// Set while our own records are learned back from the neighbours after a restore.
    recovery: Option<Recovery>,
}

impl<S: Store, P: Peer> Replicator<S, P> {
    /// Takes over `engine`; `seed` drives jitter and session ids. Call [`Self::start`]
    /// once before anything else to get the first timers.
    pub fn new(engine: Engine<S>, policy: Policy, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let next_session = rng.random();
        Self {
            trust_generation: engine.trust_generation(),
            engine,
            policy,
            rng,
            sessions: ResponderSessions::default(),
            runs: BTreeMap::new(),
            syncing: BTreeSet::new(),
            last_open: BTreeMap::new(),
            deferred: BTreeSet::new(),
            targets: BTreeMap::new(),
            allowed: BTreeMap::new(),
            connected: BTreeSet::new(),
            refused: BTreeMap::new(),
            conduct: Conduct::default(),
            offences: 0,
            pending_gossip: VecDeque::new(),
            next_session,
            next_request: 0,
            flush_pending: false,
            outputs: VecDeque::new(),
            recovery: None,
        }
    }

    /// Allows the trusted nodes and schedules the periodic timers.
    pub fn start(&mut self) {
        self.refresh_allowed();
        let sync = self.jittered(self.policy.sync_interval_ms);
        self.schedule(sync, Timer::Sync);
        self.schedule(self.policy.maintenance_interval_ms, Timer::Maintain);
        self.schedule(self.policy.erase_interval_ms, Timer::Erase);
    }

    /// The engine, for reads.
    pub fn engine(&self) -> &Engine<S> {
        &self.engine
    }

    /// The outputs produced so far, oldest first.
    pub fn drain(&mut self) -> std::collections::vec_deque::Drain<'_, Output<P>> {
        self.outputs.drain(..)
    }

    /// Offences booked against peers since start: what no honest node does.
    pub fn offences(&self) -> u64 {
        self.offences
    }

    /// Peers refused for misconduct: until when, and for what.
    pub fn bans(&self) -> impl Iterator<Item = (&P, Timestamp, Offence)> {
        self.conduct.bans()
    }

    /// Nodes allowed to connect, with the steunpunt whose profile lists them.
    pub fn allowed(&self) -> &BTreeMap<P, Option<SteunpuntId>> {
        &self.allowed
    }

    fn jittered(&mut self, base: u64) -> u64 {
        let spread = base / 10;
        base - spread + self.rng.random_range(0..=2 * spread)
    }

    fn schedule(&mut self, after_ms: u64, timer: Timer<P>) {
        self.outputs.push_back(Output::Schedule { after_ms, timer });
    }

    /// Handles one input at `now`.
    pub fn handle(&mut self, input: Input<P>, now: Timestamp) {
        match input {
            Input::Connected(peer) => {
                // A neighbour that has not peered back closes every connection at once:
                // the connection counts once the other side answers a sync request.
                debug!(%peer, "connected");
                self.connected.insert(peer.clone());
                if let Some(target) = self.targets.get_mut(&peer) {
                    target.answered = false;
                }
                self.start_sync(peer, now);
            }
            Input::Disconnected(peer) => self.on_disconnected(peer),
            Input::DialFailed(peer) => {
                debug!(%peer, "dial failed");
                if !self.connected.contains(&peer) {
                    self.redial_later(&peer, Some(Unanswered::Unreachable));
                }
            }
            Input::Refused(peer) => self.on_refused(peer, now),
            Input::Discovered(peer, addr) => {
                if self.allowed.contains_key(&peer) && !self.connected.contains(&peer) {
                    self.outputs.push_back(Output::Dial { peer, addr });
                }
            }
            Input::Gossip { from, id, bytes } => {
                let outcome = self.engine.ingest(bytes, now);
                let verdict = outcome.verdict();
                if let IngestOutcome::Invalid(e) = &outcome {
                    debug!(peer = %from, "dropped a record that does not open: {e}");
                }
                self.outputs.push_back(Output::Validated {
                    id,
                    from: from.clone(),
                    verdict,
                });
                if verdict == Verdict::Reject {
                    self.offended(&from, Offence::InvalidRecord, 1, now);
                }
                if let IngestOutcome::Accepted(a) = &outcome {
                    self.learned();
                    if a.key.kind == Kind::Profile {
                        self.refresh_allowed();
                    }
                }
                self.after_engine_change(now);
            }
            Input::GossipUnsent(bytes) => {
                if self.pending_gossip.len() >= self.policy.max_pending_gossip {
                    self.pending_gossip.pop_front();
                }
                self.pending_gossip.push_back(bytes);
            }
            Input::GossipPeerJoined => {
                for bytes in std::mem::take(&mut self.pending_gossip) {
                    self.outputs.push_back(Output::Publish(bytes));
                }
            }
            Input::SyncRequest {
                from,
                reply,
                request,
            } => self.on_sync_request(from, reply, request, now),
            Input::SyncResponse { request, response } => {
                self.on_sync_response(request, response, now);
            }
            Input::SyncFailed { request } => {
                if let Some(run) = self.runs.remove(&request) {
                    debug!(peer = %run.peer, "sync request failed");
                    self.syncing.remove(&run.peer);
                }
            }
            Input::Malformed(peer) => self.offended(&peer, Offence::MalformedMessage, 1, now),
            Input::Timer(timer) => self.on_timer(timer, now),
        }
    }

    fn on_timer(&mut self, timer: Timer<P>, now: Timestamp) {
        match timer {
            Timer::Sync => {
                let timeout = self.policy.run_timeout_ms;
                let stale: Vec<u64> = self
                    .runs
                    .iter()
                    .filter(|(_, r)| now.0.saturating_sub(r.sent_at.0) >= timeout)
                    .map(|(id, _)| *id)
                    .collect();
                for request in stale {
                    self.handle(Input::SyncFailed { request }, now);
                }
                self.sync_all(now);
                let next = self.jittered(self.policy.sync_interval_ms);
                self.schedule(next, Timer::Sync);
            }
            Timer::Maintain => {
                self.maintain(now);
                self.schedule(self.policy.maintenance_interval_ms, Timer::Maintain);
            }
            Timer::Flush => {
                self.flush_pending = false;
                if let Err(e) = self.engine.flush() {
                    warn!("flushing records learned from peers failed: {e}");
                }
            }
            Timer::Redial { peer, attempt } => {
                let due = self
                    .targets
                    .get(&peer)
                    .is_some_and(|t| t.attempt == attempt);
                if due && !self.connected.contains(&peer) {
                    self.dial(&peer);
                }
            }
            Timer::Erase => {
                if let Err(e) = self.engine.erase() {
                    warn!(
                        "erasing removed records from disk failed; tried again in half an hour: {e}"
                    );
                }
                self.schedule(self.policy.erase_interval_ms, Timer::Erase);
            }
            Timer::SyncPeer(peer) => {
                if self.deferred.remove(&peer) {
                    self.start_sync(peer, now);
                }
            }
            Timer::Unban(peer) => {
                self.conduct.lift(&peer);
                info!(%peer, "ban over: the node may connect again");
                self.refresh_allowed();
                if !self.connected.contains(&peer) {
                    self.dial(&peer);
                }
            }
        }
    }

    /// Records learned from peers are on disk, and every change is in the search index,
    /// within the flush delay.
    fn learned(&mut self) {
        if !self.flush_pending {
            self.flush_pending = true;
            self.schedule(self.policy.flush_delay_ms, Timer::Flush);
        }
    }

    /// Flushes everything now (at shutdown).
    pub fn flush(&mut self) -> Result<(), StoreError> {
        self.flush_pending = false;
        self.engine.flush()
    }

    /// Flushes before a clean stop.
    pub fn close(&mut self) -> Result<(), StoreError> {
        self.flush_pending = false;
        self.engine.close()
    }

    fn maintain(&mut self, now: Timestamp) {
        match self.engine.expire(now) {
            Ok(expired) if !expired.is_empty() => self.learned(),
            Ok(_) => {}
            Err(e) => warn!("expiring records failed: {e}"),
        }
        // Nothing of ours is renewed while the region may hold newer revisions of it.
        let renewed = if self.recovery.is_some() {
            Ok(Vec::new())
        } else {
            self.engine.renew_own(now)
        };
        match renewed {
            Ok(renewed) => {
                for record in renewed {
                    info!(kind = %record.payload().kind, id = %record.payload().id, "renewed before expiry");
                    self.gossip(&record);
                }
            }
            Err(e) => warn!("renewing our records failed: {e}"),
        }
        self.refresh_allowed();
        self.after_engine_change(now);
    }

    /// Pushes one of our new revisions to the region; the search index shows it after
    /// the next flush.
    fn gossip(&mut self, record: &Record) {
        self.outputs
            .push_back(Output::Publish(record.envelope().shared_bytes()));
        self.learned();
    }

    /// Publishes a draft of one of our vacancies or organisations (see
    /// [`Engine::publish_draft`]).
    pub fn publish_draft(
        &mut self,
        draft: Draft,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<(Record, DraftOutcome), EngineError> {
        self.refuse_while_recovering()?;
        let (record, outcome) = self.engine.publish_draft(draft, now, dry_run)?;
        if !dry_run && outcome != DraftOutcome::Unchanged {
            self.gossip(&record);
        }
        Ok((record, outcome))
    }

    /// Withdraws one of our vacancies or organisations.
    pub fn withdraw(
        &mut self,
        kind: Kind,
        id: RecordId,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        self.refuse_while_recovering()?;
        let record = self.engine.withdraw(kind, id, now)?;
        self.gossip(&record);
        Ok(record)
    }

    /// Publishes our profile if it differs from `desired` (see [`Engine::ensure_profile`]).
    pub fn ensure_profile(
        &mut self,
        desired: Profile,
        node: &str,
        now: Timestamp,
    ) -> Result<Option<Record>, EngineError> {
        let record = self.engine.ensure_profile(desired, node, now)?;
        if let Some(record) = &record {
            info!("published this steunpunt's profile from config.toml");
            self.gossip(record);
            self.refresh_allowed();
        }
        Ok(record)
    }

    /// Changes our peering record; trust and the allowed nodes follow at once.
    pub fn change_peering(
        &mut self,
        change: impl FnOnce(&mut Peering),
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        self.refuse_while_recovering()?;
        let record = self.engine.change_peering(change, now)?;
        self.gossip(&record);
        self.refresh_allowed();
        self.after_engine_change(now);
        Ok(record)
    }
}
