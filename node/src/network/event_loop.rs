//! The swarm's event loop and the [`Client`] that drives it, as in rust-libp2p's
//! file-sharing example: one task owns the swarm; everything else sends it commands over a
//! bounded channel, with a oneshot for the answer.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
use libp2p::gossipsub::{self, MessageAcceptance};
use libp2p::request_response::{self, OutboundRequestId};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, Swarm, mdns};
use rand::Rng;
use serde::Serialize;
use steunpunt_protocol::sync::{SyncRequest, SyncResponse};
use steunpunt_protocol::{Kind, SteunpuntId, Timestamp};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::behaviour::{Behaviour, BehaviourEvent, records_topic};
use crate::data_dir::PeerEntry;
use crate::replication::{Engine, IngestOutcome, ResponderSessions, SyncRun, Verdict};
use crate::store::SledStore;

/// The engine, shared by the event loop and the API.
pub type SharedEngine = Arc<Mutex<Engine<SledStore>>>;

/// Locks the engine; a poisoned lock (a panic while holding it) is still usable, because
/// every engine operation leaves the store consistent before it can panic.
pub fn lock(engine: &SharedEngine) -> MutexGuard<'_, Engine<SledStore>> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The current time.
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Capacity of the command channel.
pub const COMMAND_CAPACITY: usize = 256;
/// Most locally published records waiting for a gossip peer.
pub const MAX_PENDING_GOSSIP: usize = 256;

/// Commands to the event loop.
#[derive(Debug)]
pub enum Command {
    /// Allow, dial and keep redialling a neighbour.
    AddPeer(PeerEntry),
    /// Stop dialling a neighbour's node.
    RemovePeer(PeerId),
    /// Push a locally published record to the region.
    Gossip(Arc<[u8]>),
    /// Trust may have changed (our own peering record): recompute who may connect.
    RefreshTrust,
    /// Start a sync with every connected peer now.
    SyncNow(oneshot::Sender<usize>),
    /// Report the network state.
    Status(oneshot::Sender<NetworkStatus>),
}

/// A connected node.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectedPeer {
    /// Its PeerId.
    pub peer_id: String,
    /// The steunpunt whose profile lists it, if known.
    pub steunpunt: Option<SteunpuntId>,
}

/// The network state, for `status`.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkStatus {
    /// Our PeerId.
    pub peer_id: String,
    /// Addresses we listen on.
    pub listen_addrs: Vec<String>,
    /// Connected nodes.
    pub peers: Vec<ConnectedPeer>,
}

/// Why a command could not be delivered.
#[derive(Debug, thiserror::Error)]
#[error("the node's network task has stopped")]
pub struct Stopped;

/// Handle to the event loop.
#[derive(Debug, Clone)]
pub struct Client {
    sender: mpsc::Sender<Command>,
}

impl Client {
    async fn send(&self, command: Command) -> Result<(), Stopped> {
        self.sender.send(command).await.map_err(|_| Stopped)
    }

    /// Pushes a locally published record to the region.
    pub async fn gossip(&self, envelope: Arc<[u8]>) -> Result<(), Stopped> {
        self.send(Command::Gossip(envelope)).await
    }

    /// Adds a neighbour: allow, dial, keep redialling.
    pub async fn add_peer(&self, entry: PeerEntry) -> Result<(), Stopped> {
        self.send(Command::AddPeer(entry)).await
    }

    /// Stops dialling a neighbour's node.
    pub async fn remove_peer(&self, peer: PeerId) -> Result<(), Stopped> {
        self.send(Command::RemovePeer(peer)).await
    }

    /// Recomputes who may connect after trust changed.
    pub async fn refresh_trust(&self) -> Result<(), Stopped> {
        self.send(Command::RefreshTrust).await
    }

    /// Starts a sync with every connected peer; returns how many were started.
    pub async fn sync_now(&self) -> Result<usize, Stopped> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::SyncNow(reply)).await?;
        answer.await.map_err(|_| Stopped)
    }

    /// The network state.
    pub async fn status(&self) -> Result<NetworkStatus, Stopped> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Status(reply)).await?;
        answer.await.map_err(|_| Stopped)
    }
}

/// Timing and bounds of the loop.
#[derive(Debug, Clone)]
pub struct LoopSettings {
    /// Time between syncs with each peer (jittered ±10 %).
    pub sync_interval: Duration,
    /// Most sync runs open at once.
    pub max_concurrent_syncs: usize,
    /// Time between expiry and renewal passes.
    pub maintenance_interval: Duration,
}

struct DialTarget {
    addr: Multiaddr,
    failures: u32,
    next_attempt: Instant,
}

/// Owns the swarm.
pub struct EventLoop {
    swarm: Swarm<Behaviour>,
    commands: mpsc::Receiver<Command>,
    engine: SharedEngine,
    settings: LoopSettings,
    sessions: ResponderSessions<PeerId>,
    /// Open sync runs, with the trust generation they started under.
    outgoing: HashMap<OutboundRequestId, (PeerId, SyncRun, u64)>,
    syncing: HashSet<PeerId>,
    targets: BTreeMap<PeerId, DialTarget>,
    allowed: HashMap<PeerId, Option<SteunpuntId>>,
    pending_gossip: VecDeque<Arc<[u8]>>,
    trust_generation: u64,
    next_session: u64,
    metrics: Option<libp2p::metrics::Metrics>,
    shutdown: watch::Receiver<bool>,
}

impl EventLoop {
    /// Creates the loop and its client.
    pub fn new(
        swarm: Swarm<Behaviour>,
        engine: SharedEngine,
        settings: LoopSettings,
        metrics: Option<libp2p::metrics::Metrics>,
        shutdown: watch::Receiver<bool>,
    ) -> (Self, Client) {
        let (sender, commands) = mpsc::channel(COMMAND_CAPACITY);
        let mut event_loop = Self {
            swarm,
            commands,
            engine,
            settings,
            sessions: ResponderSessions::default(),
            outgoing: HashMap::new(),
            syncing: HashSet::new(),
            targets: BTreeMap::new(),
            allowed: HashMap::new(),
            pending_gossip: VecDeque::new(),
            trust_generation: 0,
            next_session: rand::rng().random(),
            metrics,
            shutdown,
        };
        event_loop.refresh_allowed();
        (event_loop, Client { sender })
    }

    fn jittered(&self, base: Duration) -> Duration {
        base.mul_f64(rand::rng().random_range(0.9..1.1))
    }

    /// Runs until shutdown is signalled or every client is gone.
    pub async fn run(mut self) {
        let mut next_sync = Instant::now() + self.jittered(self.settings.sync_interval);
        let mut maintenance = tokio::time::interval(self.settings.maintenance_interval);
        let mut redial = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command),
                    None => break,
                },
                () = tokio::time::sleep_until(next_sync) => {
                    next_sync = Instant::now() + self.jittered(self.settings.sync_interval);
                    self.sync_all();
                }
                _ = redial.tick() => self.redial(),
                _ = maintenance.tick() => self.maintain(),
                _ = self.shutdown.changed() => break,
            }
        }
        if let Err(e) = lock(&self.engine).flush() {
            warn!("flushing the store at shutdown failed: {e}");
        }
        info!("network stopped");
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::AddPeer(entry) => {
                if let Some(peer) = entry.peer_id() {
                    self.targets.insert(
                        peer,
                        DialTarget {
                            addr: entry.multiaddr.clone(),
                            failures: 0,
                            next_attempt: Instant::now(),
                        },
                    );
                    self.refresh_allowed();
                    self.redial();
                }
            }
            Command::RemovePeer(peer) => {
                self.targets.remove(&peer);
                self.refresh_allowed();
            }
            Command::Gossip(bytes) => self.publish(bytes),
            Command::RefreshTrust => self.refresh_allowed(),
            Command::SyncNow(reply) => {
                let started = self.sync_all();
                let _ = reply.send(started);
            }
            Command::Status(reply) => {
                let peers = self
                    .swarm
                    .connected_peers()
                    .map(|p| ConnectedPeer {
                        peer_id: p.to_string(),
                        steunpunt: self.allowed.get(p).copied().flatten(),
                    })
                    .collect();
                let _ = reply.send(NetworkStatus {
                    peer_id: self.swarm.local_peer_id().to_string(),
                    listen_addrs: self.swarm.listeners().map(ToString::to_string).collect(),
                    peers,
                });
            }
        }
    }

    fn publish(&mut self, bytes: Arc<[u8]>) {
        match self
            .swarm
            .behaviour_mut()
            .gossipsub
            .publish(records_topic(), bytes.to_vec())
        {
            Ok(_) | Err(gossipsub::PublishError::Duplicate) => {}
            Err(e) => {
                // No gossip peers yet (or a full queue): keep it for when one subscribes;
                // sync delivers it regardless.
                debug!("gossip deferred: {e}");
                if self.pending_gossip.len() >= MAX_PENDING_GOSSIP {
                    self.pending_gossip.pop_front();
                }
                self.pending_gossip.push_back(bytes);
            }
        }
    }

    /// Nodes allowed to connect: those listed in the profiles of trusted steunpunten, and
    /// those we were told to dial (DESIGN §5).
    fn refresh_allowed(&mut self) {
        let profiles = lock(&self.engine).trusted_node_ids();
        let mut allowed: HashMap<PeerId, Option<SteunpuntId>> = HashMap::new();
        for (steunpunt, node) in profiles {
            if let Ok(peer) = node.parse::<PeerId>() {
                allowed.insert(peer, Some(steunpunt));
            }
        }
        for peer in self.targets.keys() {
            allowed.entry(*peer).or_insert(None);
        }
        let gate = &mut self.swarm.behaviour_mut().gate;
        for peer in self.allowed.keys() {
            if !allowed.contains_key(peer) {
                info!(%peer, "no longer trusted: disconnecting");
                gate.disallow_peer(*peer);
            }
        }
        for peer in allowed.keys() {
            if !self.allowed.contains_key(peer) {
                gate.allow_peer(*peer);
            }
        }
        self.allowed = allowed;
    }

    fn redial(&mut self) {
        let now = Instant::now();
        let due: Vec<(PeerId, Multiaddr)> = self
            .targets
            .iter()
            .filter(|(peer, t)| t.next_attempt <= now && !self.swarm.is_connected(peer))
            .map(|(peer, t)| (*peer, t.addr.clone()))
            .collect();
        for (peer, addr) in due {
            if let Some(target) = self.targets.get_mut(&peer) {
                // Exponential backoff from 1 s to 5 minutes.
                let backoff = Duration::from_secs(1u64 << target.failures.min(8))
                    .min(Duration::from_secs(300));
                target.next_attempt = now + backoff;
                target.failures = target.failures.saturating_add(1);
            }
            if let Err(e) = self.swarm.dial(addr.clone()) {
                debug!(%peer, %addr, "dial failed: {e}");
            }
        }
    }

    fn maintain(&mut self) {
        let now = now();
        let renewed = {
            let mut engine = lock(&self.engine);
            if let Err(e) = engine.expire(now) {
                warn!("expiring records failed: {e}");
            }
            match engine.renew_own(now) {
                Ok(renewed) => renewed,
                Err(e) => {
                    warn!("renewing our records failed: {e}");
                    Vec::new()
                }
            }
        };
        for record in renewed {
            info!(kind = %record.payload().kind, id = %record.payload().id, "renewed before expiry");
            self.publish(record.envelope().shared_bytes());
        }
        self.refresh_allowed();
    }

    fn sync_all(&mut self) -> usize {
        let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        peers
            .into_iter()
            .filter(|peer| self.start_sync(*peer))
            .count()
    }

    fn start_sync(&mut self, peer: PeerId) -> bool {
        debug!(%peer, syncing = self.syncing.contains(&peer), open = self.outgoing.len(), allowed = self.allowed.contains_key(&peer), "sync requested");
        if self.syncing.contains(&peer)
            || self.outgoing.len() >= self.settings.max_concurrent_syncs
            || !self.allowed.contains_key(&peer)
        {
            return false;
        }
        self.next_session = self.next_session.wrapping_add(1);
        let (started, generation) = {
            let engine = lock(&self.engine);
            (
                SyncRun::start(&engine, self.next_session, now()),
                engine.trust_generation(),
            )
        };
        match started {
            Ok((run, request)) => {
                self.send_sync(peer, run, request, generation);
                self.syncing.insert(peer);
                true
            }
            Err(e) => {
                warn!(%peer, "cannot start sync: {e}");
                false
            }
        }
    }

    fn send_sync(&mut self, peer: PeerId, run: SyncRun, request: SyncRequest, generation: u64) {
        let id = self.swarm.behaviour_mut().sync.send_request(&peer, request);
        self.outgoing.insert(id, (peer, run, generation));
    }

    fn on_ingested(&mut self, outcome: &IngestOutcome) {
        if let IngestOutcome::Accepted(a) = outcome
            && a.key.kind == Kind::Profile
        {
            self.refresh_allowed();
        }
        self.after_engine_change();
    }

    /// After anything that may have changed trust (gossip, a served offer, a sync step):
    /// when it did, recompute who may connect and fetch the newly trusted authors' records
    /// now rather than at the next timer.
    fn after_engine_change(&mut self) {
        let generation = lock(&self.engine).trust_generation();
        if generation != self.trust_generation {
            self.trust_generation = generation;
            self.refresh_allowed();
            self.sync_all();
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        if let Some(metrics) = &self.metrics {
            libp2p::metrics::Recorder::record(metrics, &event);
        }
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => {
                if let Some(metrics) = &self.metrics {
                    libp2p::metrics::Recorder::record(metrics, &event);
                }
                self.on_gossip(event);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => self.on_sync(event),
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    if self.allowed.contains_key(&peer) && !self.swarm.is_connected(&peer) {
                        let _ = self.swarm.dial(addr);
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(event)) => {
                if let Some(metrics) = &self.metrics {
                    libp2p::metrics::Recorder::record(metrics, &event);
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Ping(event)) => {
                if let Some(metrics) = &self.metrics {
                    libp2p::metrics::Recorder::record(metrics, &event);
                }
            }
            SwarmEvent::ConnectionEstablished {
                peer_id, endpoint, ..
            } => {
                info!(peer = %peer_id, addr = %endpoint.get_remote_address(), "connected");
                if let Some(target) = self.targets.get_mut(&peer_id) {
                    target.failures = 0;
                }
                self.start_sync(peer_id);
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                cause,
                ..
            } => {
                info!(peer = %peer_id, "disconnected{}", cause.map(|c| format!(": {c}")).unwrap_or_default());
                self.sessions.forget_peer(&peer_id);
            }
            SwarmEvent::NewListenAddr { address, .. } => info!(%address, "listening"),
            SwarmEvent::IncomingConnectionError {
                send_back_addr,
                error,
                ..
            } => {
                debug!(addr = %send_back_addr, "refused or failed incoming connection: {error}");
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                debug!(peer = ?peer_id, "outgoing connection failed: {error}");
            }
            _ => {}
        }
    }

    fn on_gossip(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => {
                let outcome = lock(&self.engine).ingest(message.data, now());
                let acceptance = match outcome.verdict() {
                    Verdict::Accept => MessageAcceptance::Accept,
                    Verdict::Ignore => MessageAcceptance::Ignore,
                    Verdict::Reject => {
                        warn!(peer = %propagation_source, "rejected an invalid record: {outcome:?}");
                        MessageAcceptance::Reject
                    }
                };
                self.swarm
                    .behaviour_mut()
                    .gossipsub
                    .report_message_validation_result(&message_id, &propagation_source, acceptance);
                self.on_ingested(&outcome);
            }
            gossipsub::Event::Subscribed { .. } => {
                let pending: Vec<Arc<[u8]>> = self.pending_gossip.drain(..).collect();
                for bytes in pending {
                    self.publish(bytes);
                }
            }
            _ => {}
        }
    }

    fn on_sync(
        &mut self,
        event: request_response::Event<SyncRequest, steunpunt_protocol::sync::SyncResponse>,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => {
                    let is_offer = matches!(request, SyncRequest::Offer { .. });
                    let response =
                        lock(&self.engine).serve_sync(&mut self.sessions, peer, request, now());
                    let offered_new =
                        matches!(response, SyncResponse::Received { accepted } if accepted > 0);
                    if self
                        .swarm
                        .behaviour_mut()
                        .sync
                        .send_response(channel, response)
                        .is_err()
                    {
                        debug!(%peer, "sync answer not sent: the connection closed");
                    }
                    if is_offer {
                        self.after_engine_change();
                        if offered_new {
                            self.sync_all();
                        }
                    }
                }
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    let Some((peer, mut run, generation)) = self.outgoing.remove(&request_id)
                    else {
                        return;
                    };
                    let step = run.on_response(&mut lock(&self.engine), response, now());
                    match step {
                        Ok(Some(request)) => self.send_sync(peer, run, request, generation),
                        Ok(None) => {
                            self.syncing.remove(&peer);
                            let s = run.stats();
                            info!(%peer, fetched = s.accepted, offered = s.accepted_by_peer, round_trips = s.round_trips, bytes = s.bytes_sent + s.bytes_received, "sync done");
                            self.refresh_allowed();
                            // Trust grew during the run, whose scope was fixed at its start:
                            // sync again for the newly trusted authors.
                            let fetched = s.accepted;
                            if lock(&self.engine).trust_generation() != generation {
                                self.start_sync(peer);
                            }
                            // Records learned by sync are not gossiped; pass them on to the
                            // other peers now. This stops once a run brings nothing new.
                            if fetched > 0 {
                                self.sync_all();
                            }
                        }
                        Err(e) => {
                            self.syncing.remove(&peer);
                            warn!(%peer, "sync failed: {e}");
                        }
                    }
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                self.outgoing.remove(&request_id);
                self.syncing.remove(&peer);
                debug!(%peer, "sync request failed: {error}");
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                debug!(%peer, "sync answer failed: {error}");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }
}
