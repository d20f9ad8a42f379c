//! Neighbouring centres: `/v1/peers`.

use serde::{Deserialize, Serialize};
use steunpunt_protocol::{SteunpuntId, Timestamp};

use crate::node::Trusted;

/// `POST /v1/peers`: peer with a neighbouring centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddPeer {
    /// The neighbour's node address (a libp2p multiaddress, format `multiaddr`), ending in
    /// `/p2p/PEER_ID`; refused with 400 `bad_multiaddr` when it does not parse.
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "/ip4/192.0.2.10/tcp/4001/p2p/12D3KooWAtz57jbTXHxs7YYBCUNuJzsRVfn5C849CxyV8AJ4LkXo",
            format = "multiaddr"
        )
    )]
    pub multiaddr: String,
    /// The neighbour's steunpunt ID.
    #[cfg_attr(feature = "openapi", schema(value_type = SteunpuntId))]
    pub steunpunt: String,
    /// A label, such as the neighbour's name; the short steunpunt ID when empty.
    #[serde(default)]
    pub label: String,
}

/// The answer to `POST /v1/peers`: vouched for, saved, and dialled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerAdded {
    /// The neighbour.
    pub steunpunt: SteunpuntId,
    /// Its address as stored.
    pub multiaddr: String,
    /// The address stored before, when this one replaced it.
    pub replaced: Option<String>,
}

/// `GET /v1/peers`: the neighbours added with `peer add`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerList {
    /// Every neighbour.
    pub peers: Vec<PeerView>,
}

/// One neighbour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerView {
    /// Its steunpunt ID.
    pub steunpunt: SteunpuntId,
    /// The label given when it was added.
    pub label: String,
    /// Its node address.
    pub multiaddr: String,
    /// Whether its node is connected now.
    pub connected: bool,
    /// Since when it is connected, or not connected (while this node runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
    /// How we trust it; none while it has not peered back and nobody else vouches for it.
    pub trusted: Option<Trusted>,
    /// Set while its node is refused for misconduct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refused>,
}

/// A neighbour's node refused for a while because it sent what no honest node sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refused {
    /// Until when (the node may connect again after).
    pub until: Timestamp,
    /// What it sent: `invalid_records` (records whose signature or framing is broken),
    /// `unreadable_sync` (sync messages that cannot be read or are too large), or
    /// `too_many_sessions` (more sync sessions than a sync needs).
    pub reason: String,
}

/// The answer to `DELETE /v1/peers/{steunpunt}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerRemoved {
    /// No longer vouched for or dialled.
    pub removed: SteunpuntId,
}

/// The optional body of `POST /v1/peers/{steunpunt}/block`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BlockPeer {
    /// A label; the short steunpunt ID when empty.
    #[serde(default)]
    pub label: String,
}

/// The answer to `POST /v1/peers/{steunpunt}/block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeerBlocked {
    /// Never trusted from now on, even when others vouch for it.
    pub blocked: SteunpuntId,
}
