//! The contract between a node's local HTTP API and everything that talks to it (the
//! `steunpunt` command, the demo region, the benchmarks, the tests): one typed definition
//! per request and response, the error body every failure answers with, the names of the
//! files in a data directory, and (feature `client`) a blocking client.
//!
//! The node serialises these types and the client deserialises the same types, so a
//! renamed field fails to compile or fails a test instead of breaking the CLI silently.
//! Record bodies are the signed payload's own types from `steunpunt-protocol`: a record's
//! JSON form carries exactly the fields that are signed (ARCHITECTURE.md, "API boundaries").

pub mod error;
pub mod files;
pub mod node;
pub mod peers;
pub mod records;
pub mod schema_org;
pub mod search;

#[cfg(feature = "client")]
pub mod client;

pub use error::{ErrorBody, ErrorDetail, Problem};
pub use node::{
    ConnectedPeer, DiskSpace, RecordCounts, Region, RegionMember, Status, SyncStarted, Trusted,
    WriteFailure,
};
pub use peers::{
    AddPeer, BlockPeer, PeerAdded, PeerBlocked, PeerList, PeerRemoved, PeerView, Refused,
};
pub use records::{
    Draft, Export, ExportQuery, ListQuery, Outcome, PublishQuery, Published, RecordPage, RecordView,
};
pub use search::{Hit, SearchQuery, SearchResults, Sort};

#[cfg(feature = "client")]
pub use client::{Client, ClientError};

/// Largest request body the node accepts: one record is at most 64 KiB of CBOR, and its
/// JSON form is larger.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Largest page of a record list.
pub const MAX_PAGE: usize = 1000;
/// Page size of a record list when none is asked for.
pub const DEFAULT_PAGE: usize = 100;
