//! The replication policy as a sans-IO state machine: when to sync and with whom, which
//! nodes may connect, whom to dial and how fast to redial, when to expire, renew and
//! flush. The daemon's libp2p adapter and the simulation's virtual network both drive
//! this one [`Replicator`], so the simulation's checker covers the policy itself.
//!
//! Everything goes in as an [`Input`] with the current time and comes out as an
//! [`Output`]; timers are outputs too ([`Output::Schedule`]), fired back as
//! [`Input::Timer`]. It never sleeps, reads a clock or touches a socket, and its only
//! randomness (timer jitter, session ids) comes from a seeded generator.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::{Debug, Display};
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steunpunt_protocol::body::{Peering, PeeringEntry, Profile};
use steunpunt_protocol::sync::{SyncRequest, SyncResponse};
use steunpunt_protocol::{Kind, Record, RecordId, SteunpuntId, Timestamp};
use tracing::{debug, info, warn};

use super::conduct::{Conduct, Offence};
use super::engine::{Draft, DraftOutcome, Engine, IngestOutcome, PublishError, Verdict};
use super::sync::{MIN_OPEN_GAP_MS, ResponderSessions, SyncRun};
use crate::store::{Store, StoreError};

/// A node on the other end, as the transport names it.
pub trait Peer: Clone + Ord + Debug + Display + Send + 'static {
    /// Where to dial it.
    type Addr: Clone + Debug + Send + 'static;
    /// The peer a profile's `nodes` entry names, if it names one this transport knows.
    fn from_node_id(node: &str) -> Option<Self>;
}

/// Why a neighbour gave no sync answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unanswered {
    /// The dial failed: nothing answers at its address.
    Unreachable,
    /// A connection was made and closed before a sync answer: its node does not let us
    /// in, most likely because its steunpunt has not peered with us.
    Closed,
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

/// A neighbour the admin peered with: we dial it and keep redialling.
#[derive(Debug, Clone)]
struct Target<A> {
    addr: A,
    steunpunt: SteunpuntId,
    label: String,
    /// Attempts in a row that ended without a sync answer.
    failures: u32,
    /// Whether the current connection has answered a sync request: proof that the other
    /// side trusts us.
    answered: bool,
    /// Scheduling counter of the redial timer.
    attempt: u64,
    /// Whether the admin was told that the neighbour has not peered back.
    noticed: bool,
}

/// What [`Replicator::sync_all`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncsStarted {
    /// Syncs started now.
    pub now: usize,
    /// Syncs that start within [`MIN_OPEN_GAP_MS`], the last one with that neighbour
    /// being too recent.
    pub soon: usize,
}

enum Start {
    Now,
    Soon,
    No,
}

struct Run<P> {
    peer: P,
    run: SyncRun,
    generation: u64,
    sent_at: Timestamp,
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

/// What waits while a restored node learns its own records back: the profile from
/// `config.toml` and the saved neighbours its peering record should vouch for. Published
/// (each as the next revision after the one the region holds) once a sync with a
/// neighbour has completed.
#[derive(Debug)]
struct Recovery {
    profile: Profile,
    node: String,
    vouch: Vec<PeeringEntry>,
}

/// Most refused nodes remembered (to log each at most once an hour).
const MAX_REFUSED: usize = 256;
const HOUR_MS: u64 = 3_600_000;

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

    /// Starts a restored node: with no record of our own held and saved neighbours to ask,
    /// our own records are learned back from them before anything of ours is published
    /// (a revision made now could repeat or undercut one the region holds). Otherwise
    /// publishes the profile as [`Self::ensure_profile`] does.
    pub fn begin(
        &mut self,
        profile: Profile,
        node: &str,
        has_neighbours: bool,
        now: Timestamp,
    ) -> Result<(), PublishError> {
        if has_neighbours && !self.engine.holds_own() {
            info!(
                "no records of our own in the store: learning them back from the neighbours before publishing"
            );
            self.recovery = Some(Recovery {
                profile,
                node: node.to_owned(),
                vouch: Vec::new(),
            });
            return Ok(());
        }
        self.ensure_profile(profile, node, now)?;
        Ok(())
    }

    /// Whether our own records are still being learned back after a restore.
    pub fn recovering(&self) -> bool {
        self.recovery.is_some()
    }

    fn refuse_while_recovering(&self) -> Result<(), PublishError> {
        if self.recovery.is_some() {
            return Err(PublishError::Recovering);
        }
        Ok(())
    }

    /// A sync with a neighbour completed: what the region holds of ours is here, so our
    /// profile and peering record continue from their revisions.
    fn finish_recovery(&mut self, now: Timestamp) {
        let Some(recovery) = self.recovery.take() else {
            return;
        };
        info!("our own records are back from the neighbours; publishing resumes");
        if let Err(e) = self.ensure_profile(recovery.profile, &recovery.node, now) {
            warn!("cannot publish this steunpunt's profile after the restore: {e}");
        }
        let vouched = match self.engine.own_peering() {
            Ok(peering) => peering,
            Err(e) => {
                warn!("cannot read our peering record after the restore: {e}");
                return;
            }
        };
        let missing: Vec<PeeringEntry> = recovery
            .vouch
            .into_iter()
            .filter(|e| !vouched.vouches_for(&e.steunpunt) && !vouched.blocks(&e.steunpunt))
            .collect();
        if !missing.is_empty()
            && let Err(e) = self.change_peering(|p| p.vouches.extend(missing), now)
        {
            warn!("cannot vouch for the saved neighbours after the restore: {e}");
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

    /// Books what `peer` did wrong; over the limit it is disconnected and refused for a
    /// while (see [`Conduct`]).
    fn offended(&mut self, peer: &P, offence: Offence, count: u32, now: Timestamp) {
        self.offences = self.offences.saturating_add(u64::from(count));
        let Some(ban) = self.conduct.offend(peer, offence, count, now) else {
            return;
        };
        let steunpunt = self.allowed.get(peer).copied().flatten();
        let name = steunpunt.map_or_else(|| "an unknown steunpunt".to_owned(), |s| s.to_string());
        warn!(
            %peer,
            "the node of {name} sent {}: disconnected and refused for {} minutes \
             (ban number {}). Tell its admin; if it goes on, `steunpunt peer block` it",
            offence.describe(),
            ban.for_ms / 60_000,
            ban.count
        );
        self.refresh_allowed();
        self.schedule(ban.for_ms, Timer::Unban(peer.clone()));
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

    fn dial(&mut self, peer: &P) {
        if self.conduct.banned(peer) {
            return;
        }
        if let Some(target) = self.targets.get(peer) {
            self.outputs.push_back(Output::Dial {
                peer: peer.clone(),
                addr: target.addr.clone(),
            });
        }
    }

    /// Schedules the next attempt at a neighbour. `failed`: why the last attempt brought
    /// no sync answer, so the delay doubles (up to the maximum); otherwise it starts over.
    fn redial_later(&mut self, peer: &P, failed: Option<Unanswered>) {
        let (min, max, notice_after) = (
            self.policy.redial_min_ms,
            self.policy.redial_max_ms,
            self.policy.unanswered_notice_after,
        );
        let Some(target) = self.targets.get_mut(peer) else {
            return;
        };
        if failed.is_some() {
            target.failures = target.failures.saturating_add(1);
        } else {
            target.failures = 0;
        }
        target.attempt += 1;
        let failures = target.failures;
        let attempt = target.attempt;
        if let Some(why) = failed
            && failures == notice_after
            && !target.noticed
        {
            target.noticed = true;
            let name = if target.label.is_empty() {
                format!("steunpunt {}", target.steunpunt)
            } else {
                format!("{} ({})", target.label, target.steunpunt)
            };
            let minutes = max / 60_000;
            match why {
                Unanswered::Closed => info!(
                    %peer,
                    "{name} has not peered with us yet: its node closes our connections. \
                     Ask its admin to run `steunpunt peer add` with our address and steunpunt ID; \
                     we keep trying, at most every {minutes} minutes"
                ),
                Unanswered::Unreachable => info!(
                    %peer,
                    "{name}'s node cannot be reached: is it running, and is its address in \
                     `steunpunt peer list` right? We keep trying, at most every {minutes} minutes"
                ),
            }
        }
        let delay = min
            .saturating_mul(1u64 << failures.saturating_sub(1).min(20))
            .min(max);
        let delay = self.jittered(delay);
        self.schedule(
            delay,
            Timer::Redial {
                peer: peer.clone(),
                attempt,
            },
        );
    }

    fn on_disconnected(&mut self, peer: P) {
        if self.targets.get(&peer).is_none_or(|t| t.answered) {
            info!(%peer, "disconnected");
        } else {
            debug!(%peer, "disconnected before answering");
        }
        self.connected.remove(&peer);
        self.sessions.forget_peer(&peer);
        self.syncing.remove(&peer);
        self.last_open.remove(&peer);
        self.deferred.remove(&peer);
        self.runs.retain(|_, r| r.peer != peer);
        let answered = self.targets.get(&peer).map(|t| t.answered);
        if let Some(answered) = answered {
            self.redial_later(&peer, (!answered).then_some(Unanswered::Closed));
        }
    }

    fn on_refused(&mut self, peer: P, now: Timestamp) {
        if self.allowed.contains_key(&peer) {
            // Refused by a connection limit, not by trust.
            debug!(%peer, "connection refused: too many connections");
            return;
        }
        if self.conduct.banned(&peer) {
            debug!(%peer, "connection refused: the node is banned for misconduct");
            return;
        }
        let recent = self
            .refused
            .get(&peer)
            .is_some_and(|at| now.0.saturating_sub(at.0) < HOUR_MS);
        if recent {
            return;
        }
        if self.refused.len() >= MAX_REFUSED {
            self.refused
                .retain(|_, at| now.0.saturating_sub(at.0) < HOUR_MS);
            if self.refused.len() >= MAX_REFUSED {
                return;
            }
        }
        self.refused.insert(peer.clone(), now);
        info!(
            %peer,
            "refused a connection from node {peer}: no steunpunt we trust lists it. If it is a \
             neighbour's node, add it with `steunpunt peer add ADDRESS/p2p/{peer} STEUNPUNT_ID`"
        );
    }

    /// A neighbour to dial and keep dialling (from `peer add` or the saved peer list).
    pub fn add_target(&mut self, peer: P, addr: P::Addr, steunpunt: SteunpuntId, label: String) {
        self.targets.insert(
            peer.clone(),
            Target {
                addr,
                steunpunt,
                label,
                failures: 0,
                answered: false,
                attempt: 0,
                noticed: false,
            },
        );
        self.refresh_allowed();
        if !self.connected.contains(&peer) {
            self.dial(&peer);
        }
    }

    /// Stops dialling a neighbour's node.
    pub fn remove_target(&mut self, peer: &P) {
        self.targets.remove(peer);
        self.refresh_allowed();
    }

    /// The neighbours the admin peered with, as `(node, address, steunpunt, label)`.
    pub fn neighbours(&self) -> Vec<(P, P::Addr, SteunpuntId, String)> {
        self.targets
            .iter()
            .map(|(p, t)| (p.clone(), t.addr.clone(), t.steunpunt, t.label.clone()))
            .collect()
    }

    /// `peer add`: vouch for `steunpunt` (durable before it returns) and dial its node at
    /// `addr`, instead of any node of it dialled before.
    pub fn peer_add(
        &mut self,
        peer: P,
        addr: P::Addr,
        steunpunt: SteunpuntId,
        label: String,
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        if steunpunt == self.engine.me() {
            return Err(PublishError::OwnSteunpunt);
        }
        let vouch = PeeringEntry {
            steunpunt,
            label: label.clone(),
        };
        let record = self.change_peering(
            |p| {
                p.blocks.retain(|e| e.steunpunt != steunpunt);
                if !p.vouches_for(&steunpunt) {
                    p.vouches.push(vouch);
                }
            },
            now,
        )?;
        self.forget_nodes_of(steunpunt);
        self.add_target(peer, addr, steunpunt, label);
        Ok(record)
    }

    /// At start: dial the saved neighbours, and vouch for any of them our peering record
    /// does not (yet) vouch for, so that the neighbour list and the peering record agree.
    /// A neighbour we block stays blocked and is not dialled.
    pub fn restore_neighbours(
        &mut self,
        neighbours: Vec<(P, P::Addr, SteunpuntId, String)>,
        now: Timestamp,
    ) -> Result<Option<Record>, PublishError> {
        let peering = self.engine.own_peering()?;
        let mut missing = Vec::new();
        for (peer, addr, steunpunt, label) in neighbours {
            if peering.blocks(&steunpunt) || steunpunt == self.engine.me() {
                continue;
            }
            if !peering.vouches_for(&steunpunt) {
                missing.push(PeeringEntry {
                    steunpunt,
                    label: label.clone(),
                });
            }
            self.add_target(peer, addr, steunpunt, label);
        }
        if missing.is_empty() {
            return Ok(None);
        }
        if let Some(recovery) = &mut self.recovery {
            // Our peering record comes back from the region first; then we vouch.
            recovery.vouch.extend(missing);
            return Ok(None);
        }
        info!(
            count = missing.len(),
            "vouching for saved neighbours our peering record did not list"
        );
        self.change_peering(|p| p.vouches.extend(missing), now)
            .map(Some)
    }

    /// `peer remove`: stop vouching for `steunpunt` and stop dialling its nodes.
    pub fn peer_remove(
        &mut self,
        steunpunt: SteunpuntId,
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        let record =
            self.change_peering(|p| p.vouches.retain(|e| e.steunpunt != steunpunt), now)?;
        self.forget_nodes_of(steunpunt);
        Ok(record)
    }

    /// `peer block`: never trust `steunpunt`, not even through others.
    pub fn peer_block(
        &mut self,
        steunpunt: SteunpuntId,
        label: String,
        now: Timestamp,
    ) -> Result<Record, PublishError> {
        if steunpunt == self.engine.me() {
            return Err(PublishError::OwnSteunpunt);
        }
        let record = self.change_peering(
            |p| {
                p.vouches.retain(|e| e.steunpunt != steunpunt);
                if !p.blocks(&steunpunt) {
                    p.blocks.push(PeeringEntry { steunpunt, label });
                }
            },
            now,
        )?;
        self.forget_nodes_of(steunpunt);
        Ok(record)
    }

    fn forget_nodes_of(&mut self, steunpunt: SteunpuntId) {
        self.targets.retain(|_, t| t.steunpunt != steunpunt);
        self.refresh_allowed();
    }

    /// Nodes allowed to connect: those listed in the profiles of trusted steunpunten, and
    /// the neighbours' nodes we were told to dial, but for those banned for misconduct.
    fn refresh_allowed(&mut self) {
        let mut allowed: BTreeMap<P, Option<SteunpuntId>> = BTreeMap::new();
        for (steunpunt, node) in self.engine.trusted_node_ids() {
            if let Some(peer) = P::from_node_id(&node) {
                allowed.insert(peer, Some(steunpunt));
            }
        }
        for (peer, target) in &self.targets {
            allowed
                .entry(peer.clone())
                .or_insert(Some(target.steunpunt));
        }
        allowed.retain(|peer, _| !self.conduct.banned(peer));
        for peer in self.allowed.keys() {
            if !allowed.contains_key(peer) {
                if !self.conduct.banned(peer) {
                    info!(%peer, "no longer trusted: disconnecting");
                }
                self.outputs.push_back(Output::Disallow(peer.clone()));
            }
        }
        for peer in allowed.keys() {
            if !self.allowed.contains_key(peer) {
                self.outputs.push_back(Output::Allow(peer.clone()));
            }
        }
        self.allowed = allowed;
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

    /// Starts a sync with every connected peer, or schedules it where the last one with
    /// that peer was too recent ([`MIN_OPEN_GAP_MS`]).
    pub fn sync_all(&mut self, now: Timestamp) -> SyncsStarted {
        let peers: Vec<P> = self.connected.iter().cloned().collect();
        let mut started = SyncsStarted::default();
        for peer in peers {
            match self.start_sync(peer, now) {
                Start::Now => started.now += 1,
                Start::Soon => started.soon += 1,
                Start::No => {}
            }
        }
        started
    }

    fn start_sync(&mut self, peer: P, now: Timestamp) -> Start {
        if self.syncing.contains(&peer)
            || !self.allowed.contains_key(&peer)
            || !self.connected.contains(&peer)
        {
            return Start::No;
        }
        // Never more often than a neighbour accepts, whatever the interval, the events
        // or the staff ask: sooner, and it waits for the gap to end.
        let since = self
            .last_open
            .get(&peer)
            .map_or(u64::MAX, |at| now.0.saturating_sub(at.0));
        if since < MIN_OPEN_GAP_MS {
            if self.deferred.insert(peer.clone()) {
                self.schedule(MIN_OPEN_GAP_MS - since, Timer::SyncPeer(peer));
            }
            return Start::Soon;
        }
        if self.runs.len() >= self.policy.max_concurrent_syncs {
            return Start::No;
        }
        self.next_session = self.next_session.wrapping_add(1);
        match SyncRun::start(&self.engine, self.next_session, now) {
            Ok((run, message)) => {
                let generation = self.engine.trust_generation();
                self.send_request(peer.clone(), run, message, generation, now);
                self.last_open.insert(peer.clone(), now);
                self.syncing.insert(peer);
                Start::Now
            }
            Err(e) => {
                warn!(%peer, "cannot start sync: {e}");
                Start::No
            }
        }
    }

    fn send_request(
        &mut self,
        peer: P,
        run: SyncRun,
        message: SyncRequest,
        generation: u64,
        now: Timestamp,
    ) {
        self.next_request += 1;
        let request = self.next_request;
        self.outputs.push_back(Output::Request {
            peer: peer.clone(),
            request,
            message,
        });
        self.runs.insert(
            request,
            Run {
                peer,
                run,
                generation,
                sent_at: now,
            },
        );
    }

    /// The other side talks sync with us, so it trusts us: its backoff starts over.
    fn answered(&mut self, peer: &P) {
        if let Some(target) = self.targets.get_mut(peer) {
            if !target.answered {
                info!(%peer, steunpunt = %target.steunpunt, "connected to a neighbour");
            }
            target.answered = true;
            target.failures = 0;
            target.noticed = false;
        }
    }

    /// After anything that may have changed trust: when it did, recompute who may connect
    /// and fetch the newly trusted authors' records now rather than at the next timer.
    fn after_engine_change(&mut self, now: Timestamp) {
        let generation = self.engine.trust_generation();
        if generation != self.trust_generation {
            self.trust_generation = generation;
            self.refresh_allowed();
            self.sync_all(now);
        }
    }

    fn on_sync_request(&mut self, from: P, reply: u64, request: SyncRequest, now: Timestamp) {
        self.answered(&from);
        let is_offer = matches!(request, SyncRequest::Offer { .. });
        let served = self
            .engine
            .serve_sync(&mut self.sessions, from.clone(), request, now);
        let message = served.response;
        let offered_new = matches!(message, SyncResponse::Received { accepted } if accepted > 0);
        self.outputs.push_back(Output::Respond { reply, message });
        if let Some((offence, count)) = served.offence {
            self.offended(&from, offence, count, now);
        }
        if is_offer {
            if offered_new {
                self.learned();
                self.refresh_allowed();
            }
            self.after_engine_change(now);
            // Pass what we were offered on to our other peers now.
            if offered_new {
                self.sync_all(now);
            }
        }
    }

    fn on_sync_response(&mut self, request: u64, response: SyncResponse, now: Timestamp) {
        let Some(Run {
            peer,
            mut run,
            generation,
            ..
        }) = self.runs.remove(&request)
        else {
            return;
        };
        if !matches!(response, SyncResponse::Refused { .. }) {
            self.answered(&peer);
        }
        let before = run.stats().accepted;
        let step = run.on_response(&mut self.engine, response, now);
        if run.stats().accepted > before {
            self.learned();
        }
        match step {
            Ok(Some(message)) => self.send_request(peer, run, message, generation, now),
            Ok(None) => {
                self.syncing.remove(&peer);
                self.finish_recovery(now);
                let s = run.stats();
                info!(%peer, fetched = s.accepted, offered = s.accepted_by_peer, round_trips = s.round_trips, bytes = s.bytes_sent + s.bytes_received, "sync done");
                let fetched = s.accepted;
                self.refresh_allowed();
                self.after_engine_change(now);
                // Trust grew during the run, whose scope was fixed at its start: sync
                // again for the newly trusted authors.
                if self.engine.trust_generation() != generation {
                    self.start_sync(peer, now);
                }
                // Records learned by sync are not gossiped; pass them on to the other
                // peers now. This stops once a run brings nothing new.
                if fetched > 0 {
                    self.sync_all(now);
                }
            }
            Err(e) => {
                self.syncing.remove(&peer);
                warn!(%peer, "sync failed: {e}");
            }
        }
    }

    /// Pushes one of our new revisions to the region; the search index shows it after
    /// the next flush.
    fn gossip(&mut self, record: &Record) {
        self.outputs
            .push_back(Output::Publish(record.envelope().shared_bytes()));
        self.learned();
    }

    // ----- our own records: durable before they return, then gossiped ---------------------

    /// Publishes a draft of one of our vacancies or organisations (see
    /// [`Engine::publish_draft`]).
    pub fn publish_draft(
        &mut self,
        draft: Draft,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<(Record, DraftOutcome), PublishError> {
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
    ) -> Result<Record, PublishError> {
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
    ) -> Result<Option<Record>, PublishError> {
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
    ) -> Result<Record, PublishError> {
        self.refuse_while_recovering()?;
        let record = self.engine.change_peering(change, now)?;
        self.gossip(&record);
        self.refresh_allowed();
        self.after_engine_change(now);
        Ok(record)
    }
}
