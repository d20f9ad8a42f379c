//! A deterministic simulation of a region of nodes, with a checker in the style of
//! Jepsen's set-full.
//!
//! N in-process nodes run the daemon's own replication policy (the node's `Replicator`,
//! over the real engine) on a virtual network driven by one seeded random generator: messages are dropped, duplicated, delayed and reordered; the
//! region is partitioned and healed; nodes crash (losing whatever was not flushed) and
//! restart; clocks are skewed by up to ±5 minutes; staff publish, update and withdraw
//! records, some of which expire during the run; neighbours change whom they vouch for and
//! whom they block; and an author equivocates. Then the network heals and nodes sync.
//!
//! The checker compares every node against ground truth — what was acknowledged to staff,
//! and the trust each node *should* have from the acknowledged `peering` records — and
//! counts lost records, resurrected records, records held from untrusted authors, and
//! nodes whose fingerprints differ from others with the same trust. The same seed always
//! gives the same trace hash.

pub mod scenarios;
mod world;

pub use world::{SimConfig, SimPeer, run};

use serde::Serialize;

/// The outcome of one simulated run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// The seed.
    pub seed: u64,
    /// Whether every check passed within `max_rounds` sync intervals after healing.
    pub converged: bool,
    /// Sync intervals after healing until every check passed (`max_rounds + 1` if never).
    pub rounds_to_converge: u32,
    /// (node, record) pairs where an acknowledged live record of a trusted author is
    /// missing or older than acknowledged.
    pub lost: u64,
    /// (node, record) pairs where a withdrawn or expired record is visible.
    pub resurrected: u64,
    /// Records held from authors the node should not trust.
    pub untrusted_held: u64,
    /// Nodes whose fingerprint differs from another node with the same trusted set.
    pub diverged: u64,
    /// (node, record) pairs of a trusted author that no path of connections can deliver:
    /// every node between them distrusts (for example blocks) the author. Not a failure;
    /// such records are neither expected nor checked for withdrawal there.
    pub unreachable: u64,
    /// Equal-revision conflicts detected by the nodes.
    pub equivocations_detected: u64,
    /// Publishes, updates and withdrawals acknowledged to staff.
    pub acknowledged: u64,
    /// Messages handed to the virtual network.
    pub messages: u64,
    /// Hash of every event and outcome, in order.
    pub trace_hash: String,
}
