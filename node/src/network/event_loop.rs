//! The swarm task: a thin adapter between libp2p and the [`Replicator`] in the owner
//! thread. It turns swarm events into [`Input`]s and carries out [`Output`]s; every
//! decision (whom to allow, dial or sync with, what a record is worth) is the
//! replicator's. It never waits on storage: inputs go out with `try_send`, and what does
//! not fit waits in a bounded backlog while the swarm keeps being polled.
//!
//! [`Replicator`]: crate::replication::Replicator

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use futures::StreamExt;
use libp2p::gossipsub::{self, MessageAcceptance, MessageId};
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::swarm::{ConnectionId, DialError, ListenError, SwarmEvent};
use libp2p::{Multiaddr, PeerId, Swarm, mdns, ping};
use steunpunt_protocol::Timestamp;
use steunpunt_protocol::sync::SyncResponse;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, info, warn};

use super::behaviour::{Behaviour, BehaviourEvent, records_topic};
use super::codec::Incoming;
use crate::actor::SwarmLink;
use crate::replication::{Input, Output, Peer, Verdict};

/// Capacity of the status channel.
pub const STATUS_CAPACITY: usize = 16;
/// Most inputs waiting for room in the owner's channel; beyond this, gossip is left to
/// sync and sync requests are answered "busy".
pub const MAX_BACKLOG: usize = 4096;

/// Pings in a row without an answer after which a connection is closed. A link that went
/// dead (a cable, a partition) leaves TCP connections open for many minutes, and messages
/// sent into one are lost until then; closed, the neighbour is redialled and a sync
/// repairs what was missed. With a ping every 10 s and 10 s to answer: within 30 s.
const UNANSWERED_PINGS: u8 = 2;

impl Peer for PeerId {
    type Addr = Multiaddr;

    fn from_node_id(node: &str) -> Option<Self> {
        node.parse().ok()
    }
}

/// The network state, for `status`.
#[derive(Debug, Clone)]
pub struct NetworkStatus {
    /// Our PeerId.
    pub peer_id: String,
    /// Addresses we listen on.
    pub listen_addrs: Vec<String>,
    /// Connected nodes.
    pub peers: Vec<PeerId>,
    /// Since when each node seen while this node runs has been connected, or not (as
    /// `peers` says).
    pub since: HashMap<PeerId, Timestamp>,
}

/// Nodes whose connection history is kept; the longest disconnected go first.
const MAX_REMEMBERED: usize = 1024;

/// Why the swarm task could not answer.
#[derive(Debug, thiserror::Error)]
#[error("the node's network task has stopped")]
pub struct Stopped;

/// Asks the swarm task for its state.
#[derive(Debug, Clone)]
pub struct Client {
    sender: mpsc::Sender<oneshot::Sender<NetworkStatus>>,
}

impl Client {
    /// The network state.
    pub async fn status(&self) -> Result<NetworkStatus, Stopped> {
        let (reply, answer) = oneshot::channel();
        self.sender.send(reply).await.map_err(|_| Stopped)?;
        answer.await.map_err(|_| Stopped)
    }
}

/// Owns the swarm.
pub struct EventLoop {
    swarm: Swarm<Behaviour>,
    link: SwarmLink,
    status: mpsc::Receiver<oneshot::Sender<NetworkStatus>>,
    backlog: VecDeque<Input<PeerId>>,
    gossip: HashMap<u64, MessageId>,
    replies: HashMap<u64, ResponseChannel<SyncResponse>>,
    requests: HashMap<OutboundRequestId, u64>,
    next_handle: u64,
    metrics: Option<libp2p::metrics::Metrics>,
    shutdown: watch::Receiver<bool>,
    since: HashMap<PeerId, Timestamp>,
    unanswered_pings: HashMap<ConnectionId, u8>,
}

impl EventLoop {
    /// Creates the loop and its client.
    pub fn new(
        swarm: Swarm<Behaviour>,
        link: SwarmLink,
        metrics: Option<libp2p::metrics::Metrics>,
        shutdown: watch::Receiver<bool>,
    ) -> (Self, Client) {
        let (sender, status) = mpsc::channel(STATUS_CAPACITY);
        let event_loop = Self {
            swarm,
            link,
            status,
            backlog: VecDeque::new(),
            gossip: HashMap::new(),
            replies: HashMap::new(),
            requests: HashMap::new(),
            next_handle: 0,
            metrics,
            shutdown,
            since: HashMap::new(),
            unanswered_pings: HashMap::new(),
        };
        (event_loop, Client { sender })
    }

    /// Notes that `peer` connected or went, now.
    fn connection_changed(&mut self, peer: PeerId) {
        if self.since.len() >= MAX_REMEMBERED && !self.since.contains_key(&peer) {
            let oldest = self
                .since
                .iter()
                .filter(|(p, _)| !self.swarm.is_connected(p))
                .min_by_key(|(_, at)| **at)
                .map(|(p, _)| *p);
            if let Some(oldest) = oldest {
                self.since.remove(&oldest);
            }
        }
        self.since.insert(peer, crate::clock::now());
    }

    /// Runs until shutdown is signalled or the owner stops.
    pub async fn run(mut self) {
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                output = self.link.outputs.recv() => match output {
                    Some(output) => self.on_output(output),
                    None => break,
                },
                permit = self.link.inputs.clone().reserve_owned(), if !self.backlog.is_empty() => match permit {
                    Ok(permit) => {
                        if let Some(input) = self.backlog.pop_front() {
                            permit.send(input);
                        }
                    }
                    Err(_) => break,
                },
                Some(reply) = self.status.recv() => {
                    let _ = reply.send(NetworkStatus {
                        peer_id: self.swarm.local_peer_id().to_string(),
                        listen_addrs: self.swarm.listeners().map(ToString::to_string).collect(),
                        peers: self.swarm.connected_peers().copied().collect(),
                        since: self.since.clone(),
                    });
                }
                _ = self.shutdown.changed() => break,
            }
        }
        info!("network stopped");
    }

    fn handle(&mut self) -> u64 {
        self.next_handle = self.next_handle.wrapping_add(1);
        self.next_handle
    }

    /// Passes an input to the owner without waiting; false when there is no room, neither
    /// in the channel nor in the backlog (a `droppable` input gets half the backlog).
    fn forward(&mut self, input: Input<PeerId>, droppable: bool) -> bool {
        let input = if self.backlog.is_empty() {
            match self.link.inputs.try_send(input) {
                Ok(()) => return true,
                Err(
                    mpsc::error::TrySendError::Full(input)
                    | mpsc::error::TrySendError::Closed(input),
                ) => input,
            }
        } else {
            input
        };
        let limit = if droppable {
            MAX_BACKLOG
        } else {
            2 * MAX_BACKLOG
        };
        if self.backlog.len() >= limit {
            return false;
        }
        self.backlog.push_back(input);
        true
    }

    fn on_output(&mut self, output: Output<PeerId>) {
        let behaviour = self.swarm.behaviour_mut();
        match output {
            Output::Dial { peer, addr } => {
                if let Err(e) = self.swarm.dial(addr.clone()) {
                    debug!(%peer, %addr, "dial failed: {e}");
                    self.forward(Input::DialFailed(peer), false);
                }
            }
            Output::Allow(peer) => {
                behaviour.gate.allow_peer(peer);
            }
            Output::Disallow(peer) => {
                behaviour.gate.disallow_peer(peer);
            }
            Output::Publish(bytes) => {
                match behaviour.gossipsub.publish(records_topic(), bytes.to_vec()) {
                    Ok(_) | Err(gossipsub::PublishError::Duplicate) => {}
                    Err(e) => {
                        // No gossip peers yet (or a full queue): the replicator keeps it for
                        // when one joins; sync delivers it regardless.
                        debug!("gossip deferred: {e}");
                        self.forward(Input::GossipUnsent(bytes), true);
                    }
                }
            }
            Output::Validated { id, from, verdict } => {
                if let Some(message_id) = self.gossip.remove(&id) {
                    report(&mut self.swarm, &message_id, &from, verdict);
                }
            }
            Output::Request {
                peer,
                request,
                message,
            } => {
                let id = behaviour.sync.send_request(&peer, Ok(message));
                self.requests.insert(id, request);
            }
            Output::Respond { reply, message } => {
                if let Some(channel) = self.replies.remove(&reply)
                    && behaviour.sync.send_response(channel, message).is_err()
                {
                    debug!("sync answer not sent: the connection closed");
                }
            }
            Output::Schedule { .. } => {}
        }
    }

    fn record_metrics<E>(&self, event: &E)
    where
        libp2p::metrics::Metrics: libp2p::metrics::Recorder<E>,
    {
        if let Some(metrics) = &self.metrics {
            libp2p::metrics::Recorder::record(metrics, event);
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        self.record_metrics(&event);
        if let SwarmEvent::ConnectionClosed { connection_id, .. } = &event {
            self.unanswered_pings.remove(connection_id);
        }
        let input = match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => {
                self.record_metrics(&event);
                self.on_gossip(event);
                return;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => {
                self.on_sync(event);
                return;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    self.forward(Input::Discovered(peer, addr), true);
                }
                return;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(event)) => {
                self.record_metrics(&event);
                return;
            }
            SwarmEvent::Behaviour(BehaviourEvent::Ping(event)) => {
                self.record_metrics(&event);
                self.on_ping(&event);
                return;
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                debug!(peer = %peer_id, addr = %endpoint.get_remote_address(), "connection up");
                if num_established.get() > 1 {
                    return;
                }
                self.connection_changed(peer_id);
                Input::Connected(peer_id)
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                cause,
                ..
            } => {
                debug!(peer = %peer_id, "connection closed{}", cause.map(|c| format!(": {c}")).unwrap_or_default());
                self.connection_changed(peer_id);
                Input::Disconnected(peer_id)
            }
            SwarmEvent::NewListenAddr { address, .. } => {
                info!(%address, "listening");
                return;
            }
            SwarmEvent::IncomingConnectionError {
                send_back_addr,
                error,
                peer_id,
                ..
            } => {
                debug!(addr = %send_back_addr, "refused or failed incoming connection: {error}");
                match (error, peer_id) {
                    (ListenError::Denied { .. }, Some(peer)) => Input::Refused(peer),
                    _ => return,
                }
            }
            SwarmEvent::OutgoingConnectionError {
                peer_id: Some(peer),
                error,
                ..
            } => {
                debug!(%peer, "outgoing connection failed: {error}");
                if matches!(error, DialError::DialPeerConditionFalse(_)) {
                    return;
                }
                Input::DialFailed(peer)
            }
            _ => return,
        };
        if !self.forward(input, false) {
            warn!("the record keeper is far behind; a connection event was dropped");
        }
    }

    fn on_ping(&mut self, event: &ping::Event) {
        if event.result.is_ok() {
            self.unanswered_pings.remove(&event.connection);
            return;
        }
        let unanswered = self.unanswered_pings.entry(event.connection).or_default();
        *unanswered += 1;
        if *unanswered >= UNANSWERED_PINGS {
            info!(peer = %event.peer, "no answer to {UNANSWERED_PINGS} pings: closing the connection, to dial again");
            self.unanswered_pings.remove(&event.connection);
            self.swarm.close_connection(event.connection);
        }
    }

    fn on_gossip(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => {
                let id = self.handle();
                let input = Input::Gossip {
                    from: propagation_source,
                    id,
                    bytes: Arc::from(message.data),
                };
                if self.forward(input, true) {
                    self.gossip.insert(id, message_id);
                } else {
                    // The owner is far behind: leave this record to sync.
                    report(
                        &mut self.swarm,
                        &message_id,
                        &propagation_source,
                        Verdict::Ignore,
                    );
                }
            }
            gossipsub::Event::Subscribed { .. } => {
                self.forward(Input::GossipPeerJoined, true);
            }
            _ => {}
        }
    }

    fn on_sync(&mut self, event: request_response::Event<Incoming, SyncResponse>) {
        let input = match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request: Err(unreadable),
                    ..
                } => {
                    // No answer: the stream closes when the channel is dropped.
                    debug!(%peer, "{unreadable}");
                    Input::Malformed(peer)
                }
                request_response::Message::Request {
                    request: Ok(request),
                    channel,
                    ..
                } => {
                    let reply = self.handle();
                    let input = Input::SyncRequest {
                        from: peer,
                        reply,
                        request,
                    };
                    if self.forward(input, true) {
                        self.replies.insert(reply, channel);
                    } else {
                        let busy = SyncResponse::Refused {
                            reason: "busy; try again later".into(),
                        };
                        let _ = self.swarm.behaviour_mut().sync.send_response(channel, busy);
                    }
                    return;
                }
                request_response::Message::Response {
                    request_id,
                    response,
                } => match self.requests.remove(&request_id) {
                    Some(request) => Input::SyncResponse { request, response },
                    None => return,
                },
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                debug!(%peer, "sync request failed: {error}");
                if let request_response::OutboundFailure::Io(e) = &error
                    && e.kind() == std::io::ErrorKind::InvalidData
                {
                    self.forward(Input::Malformed(peer), true);
                }
                match self.requests.remove(&request_id) {
                    Some(request) => Input::SyncFailed { request },
                    None => return,
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                debug!(%peer, "sync answer failed: {error}");
                return;
            }
            request_response::Event::ResponseSent { .. } => return,
        };
        if !self.forward(input, false) {
            warn!("the record keeper is far behind; a sync answer was dropped");
        }
    }
}

fn report(swarm: &mut Swarm<Behaviour>, id: &MessageId, from: &PeerId, verdict: Verdict) {
    let acceptance = match verdict {
        Verdict::Accept => MessageAcceptance::Accept,
        Verdict::Ignore => MessageAcceptance::Ignore,
        Verdict::Reject => MessageAcceptance::Reject,
    };
    swarm
        .behaviour_mut()
        .gossipsub
        .report_message_validation_result(id, from, acceptance);
}
