//! The node's one `NetworkBehaviour`, built by [`build_behaviour`] so tests can use it on
//! any transport.

// The `NetworkBehaviour` derive generates an undocumented event enum.
#![allow(missing_docs)]

use std::time::Duration;

use libp2p::gossipsub::{
    self, IdentTopic, MessageAuthenticity, PeerScoreParams, PeerScoreThresholds, TopicScoreParams,
};
use libp2p::identity::Keypair;
use libp2p::swarm::NetworkBehaviour;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::{
    allow_block_list, connection_limits, identify, mdns, memory_connection_limits, ping,
    request_response,
};
use steunpunt_protocol::RecordHash;
use steunpunt_protocol::envelope::MAX_ENVELOPE_BYTES;

use super::codec::{SYNC_PROTOCOL, SyncCodec};
use crate::config::NetworkConfig;

/// The gossip topic that carries envelope bytes.
pub const RECORDS_TOPIC: &str = "steunpunt/records/1";
/// Identify protocol version string.
pub const IDENTIFY_PROTOCOL: &str = "/steunpunt/1.0.0";

/// Everything a node speaks.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// A few unfinished inbound connections per IP address, so strangers cannot fill
    /// the pending slots that trusted neighbours need.
    pub pending: super::pending::PendingPerAddress,
    /// Trust gate: only nodes of trusted steunpunten, or nodes we were told to dial.
    pub gate: allow_block_list::Behaviour<allow_block_list::AllowedPeers>,
    /// Connection count limits.
    pub limits: connection_limits::Behaviour,
    /// Refuse connections when memory runs short.
    pub memory: memory_connection_limits::Behaviour,
    /// Push of new records.
    pub gossipsub: gossipsub::Behaviour,
    /// Anti-entropy sync.
    pub sync: request_response::Behaviour<SyncCodec>,
    /// Exchange of listen addresses and protocols.
    pub identify: identify::Behaviour,
    /// Liveness.
    pub ping: ping::Behaviour,
    /// Local discovery, off unless configured.
    pub mdns: Toggle<mdns::tokio::Behaviour>,
}

/// Why the behaviour could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up networking: {0}")]
pub struct BehaviourError(String);

/// The gossip topic.
pub fn records_topic() -> IdentTopic {
    IdentTopic::new(RECORDS_TOPIC)
}

/// Builds the behaviour for `key` with `config`.
pub fn build_behaviour(
    key: &Keypair,
    config: &NetworkConfig,
    metrics: Option<&mut prometheus_client::registry::Registry>,
) -> Result<Behaviour, BehaviourError> {
    let err = |e: &dyn std::fmt::Display| BehaviourError(e.to_string());
    let gossip_config = gossipsub::ConfigBuilder::default()
        .heartbeat_interval(Duration::from_millis(700))
        .validate_messages()
        .validation_mode(gossipsub::ValidationMode::Strict)
        // The message id is the record hash, so one record is one message however it
        // travels.
        .message_id_fn(|message: &gossipsub::Message| {
            gossipsub::MessageId::from(RecordHash::of(&message.data).0.to_vec())
        })
        .max_transmit_size(MAX_ENVELOPE_BYTES + 4096)
        .build()
        .map_err(|e| err(&e))?;
    let mut gossipsub =
        gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), gossip_config)
            .map_err(|e| err(&e))?;
    // Copies received per message (duplicates included) and bytes, for admins and the
    // propagation benchmark.
    if let Some(registry) = metrics {
        // OpenMetrics forbids a histogram sum beside negative buckets, and gossipsub's
        // default score buckets are mostly negative: a misbehaving peer's negative score
        // counts in the lowest bucket instead.
        let config = gossipsub::MetricsConfig {
            score_buckets: vec![0.0, 1.0, 10.0, 100.0, 1_000.0, 10_000.0],
            ..gossipsub::MetricsConfig::default()
        };
        gossipsub = gossipsub.with_metrics(registry.sub_registry_with_prefix("gossipsub"), config);
    }
    let topic = records_topic();
    let mut score = PeerScoreParams::default();
    score.topics.insert(
        topic.hash(),
        TopicScoreParams {
            // Gossipsub stops reading a peer whose score falls below its graylist threshold
            // (-80). The score falls with the square of invalid messages, weighted by the
            // topic's 0.5: with -1.7 the tenth graylists it, so the replicator has seen
            // enough of them to disconnect the peer (`replication::conduct`) first.
            invalid_message_deliveries_weight: -1.7,
            invalid_message_deliveries_decay: 0.5,
            ..TopicScoreParams::default()
        },
    );
    gossipsub
        .with_peer_score(score, PeerScoreThresholds::default())
        .map_err(|e| err(&e))?;
    gossipsub.subscribe(&topic).map_err(|e| err(&e))?;

    let sync = request_response::Behaviour::with_codec(
        SyncCodec,
        [(SYNC_PROTOCOL, request_response::ProtocolSupport::Full)],
        request_response::Config::default()
            .with_request_timeout(Duration::from_secs(30))
            .with_max_concurrent_streams(32),
    );
    let mdns = if config.mdns {
        Some(
            mdns::tokio::Behaviour::new(mdns::Config::default(), key.public().to_peer_id())
                .map_err(|e| err(&e))?,
        )
    } else {
        None
    };
    let limits = connection_limits::ConnectionLimits::default()
        .with_max_established(Some(config.max_connections))
        .with_max_established_per_peer(Some(config.max_connections_per_peer))
        .with_max_pending_incoming(Some(32))
        .with_max_pending_outgoing(Some(32));
    Ok(Behaviour {
        pending: super::pending::PendingPerAddress::default(),
        gate: allow_block_list::Behaviour::default(),
        limits: connection_limits::Behaviour::new(limits),
        memory: memory_connection_limits::Behaviour::with_max_percentage(
            config.max_memory_fraction,
        ),
        gossipsub,
        sync,
        identify: identify::Behaviour::new(identify::Config::new(
            IDENTIFY_PROTOCOL.into(),
            key.public(),
        )),
        // Every 10 s, 10 s to answer: the event loop closes a connection after two pings
        // without answer, so a dead link is noticed within half a minute.
        ping: ping::Behaviour::new(
            ping::Config::new()
                .with_interval(Duration::from_secs(10))
                .with_timeout(Duration::from_secs(10)),
        ),
        mdns: mdns.into(),
    })
}
