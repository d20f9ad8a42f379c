//! The Steunpunt Federatie protocol: identities, signed records, validation, merge and trust
//! rules, and the wire format. Pure and deterministic: no networking, no storage engine, no
//! async runtime, so every rule can be tested exhaustively and reused by any transport.
//!
//! The path of a received record is: [`envelope::Envelope::from_bytes`] (framing, size) →
//! [`envelope::Envelope::open`] (signature first, then decoding, then the rules) →
//! [`record::Payload::freshness`] (clock) → [`merge::merge`] (against what is held) — with the
//! trust check ([`trust::TrustSet`]) on the author in between, done by the node.

pub mod authoring;
pub mod body;
pub mod envelope;
pub mod hash;
pub mod keys;
pub mod merge;
pub mod places;
pub mod record;
pub mod sync;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod text;
pub mod timestamp;
pub mod trust;
pub mod validate;
pub mod vocab;

pub use authoring::{AuthorError, Revision, author, withdraw};
pub use body::Body;
pub use envelope::{Envelope, EnvelopeError, OpenError, open};
pub use hash::RecordHash;
pub use keys::{SteunpuntId, SteunpuntIdError, SteunpuntKey};
pub use merge::{MergeOutcome, Version};
pub use record::{Freshness, Kind, Payload, Record, RecordId, RecordKey};
pub use sync::SyncItem;
pub use timestamp::{Date, Timestamp};
pub use trust::TrustSet;
pub use validate::{Origin, Problem, ValidationError};
