//! Replication: the engine that holds the node's records and applies every rule to them,
//! the transport-independent sync driver, and the replication policy over both.

pub mod conduct;
pub mod engine;
pub mod replicator;
pub mod sync;

pub use engine::{
    Accepted, AuthorTally, Counters, Draft, DraftOutcome, Engine, EngineConfig, EngineError,
    HeldRecords, IngestOutcome, Meta, RecordObserver, Tally, Verdict, default_validity_ms,
};
pub use replicator::{Input, Neighbour, Output, Peer, Policy, Replicator, SyncsStarted, Timer};
pub use sync::{ResponderSessions, Served, SyncRun, SyncStats};
