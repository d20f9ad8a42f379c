//! Replication: the engine that holds the node's records and applies every rule to them,
//! and the transport-independent sync driver.

pub mod engine;
pub mod sync;

pub use engine::{
    Accepted, Counters, Draft, DraftOutcome, Engine, EngineConfig, IngestOutcome, Meta,
    PublishError, RecordObserver, Verdict,
};
pub use sync::{ResponderSessions, SyncRun, SyncStats};
