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
pub mod id;
pub mod keys;
pub mod merge;
pub mod places;
pub mod record;
pub mod riblt;
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
pub use envelope::{Envelope, EnvelopeError, OpenError, Record, Verified, open};
pub use hash::{RecordHash, ShortHash};
pub use id::{Kind, RecordId, RecordKey};
pub use keys::{SteunpuntId, SteunpuntIdError, SteunpuntKey};
pub use merge::{MergeOutcome, Version};
pub use record::{Freshness, Payload};
pub use timestamp::{Date, Timestamp};
pub use trust::TrustSet;
pub use validate::{Origin, Problem, ValidationError};

#[cfg(feature = "openapi")]
mod openapi {
    //! OpenAPI schemas for the types whose JSON form is text.

    use std::borrow::Cow;

    use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
    use utoipa::openapi::{KnownFormat, RefOr};
    use utoipa::{PartialSchema, ToSchema};

    fn text(
        description: &str,
        example: &str,
        format: Option<SchemaFormat>,
        pattern: Option<&str>,
    ) -> RefOr<Schema> {
        let mut builder = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .examples([example]);
        if let Some(format) = format {
            builder = builder.format(Some(format));
        }
        if let Some(pattern) = pattern {
            builder = builder.pattern(Some(pattern));
        }
        RefOr::T(Schema::Object(builder.build()))
    }

    macro_rules! text_schema {
        ($ty:ty, $name:literal, $description:literal, $example:literal, $format:expr, $pattern:expr) => {
            impl PartialSchema for $ty {
                fn schema() -> RefOr<Schema> {
                    text($description, $example, $format, $pattern)
                }
            }
            impl ToSchema for $ty {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed($name)
                }
            }
        };
    }

    text_schema!(
        crate::places::Pc4,
        "Pc4",
        "Dutch four-digit postcode; in records it must exist in the postcode table (rule `unknown_postcode`)",
        "4811",
        None,
        Some("^[1-9][0-9]{3}$")
    );
    text_schema!(
        crate::Date,
        "Date",
        "Calendar date",
        "2027-03-01",
        Some(SchemaFormat::KnownFormat(KnownFormat::Date)),
        None
    );
    text_schema!(
        crate::Timestamp,
        "Timestamp",
        "Date and time (RFC 3339); unix milliseconds are accepted too",
        "2027-03-01T12:00:00Z",
        Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)),
        None
    );
    text_schema!(
        crate::SteunpuntId,
        "SteunpuntId",
        "Steunpunt ID: `sp_` and 56 base32 characters (a–z, 2–7): the base32 form of the steunpunt's ed25519 public key and a 3-byte BLAKE3 checksum (format `steunpunt-id`); an ID that fails the checksum or holds no valid key is refused with 400 `bad_steunpunt_id`",
        "sp_iheeftb3yotug4ros2zan4hif5qremsa47w7fxqta624iqiormh32cpy",
        Some(SchemaFormat::Custom("steunpunt-id".to_owned())),
        // No pattern: generators would take it for the whole format.
        None
    );
    text_schema!(
        crate::RecordId,
        "RecordId",
        "Record id: 1-64 lower-case letters, digits and hyphens",
        "voorlezen-op-school",
        None,
        Some("^[a-z0-9][a-z0-9-]{0,63}$")
    );
    text_schema!(
        crate::RecordHash,
        "RecordHash",
        "BLAKE3 hash of the signed envelope, 64 hex digits",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        None,
        Some("^[0-9a-f]{64}$")
    );
}
