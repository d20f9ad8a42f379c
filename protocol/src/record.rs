//! The record model (ARCHITECTURE.md, Records): the signed payload and its wire encoding.
//!
//! The payload is a CBOR map with text keys. Decoding ignores keys it does not know, so
//! payloads from newer versions are accepted; because envelopes are stored and relayed as
//! the exact bytes that were signed, those unknown fields travel on untouched.

use serde::{Deserialize, Serialize};

use crate::body::{Body, Organisation, Peering, Profile, Vacancy};
use crate::id::{Kind, RecordId};
use crate::keys::SteunpuntId;
use crate::timestamp::{DAY_MS, Timestamp};
use crate::validate::{Checker, Origin, ValidationError};

/// Payload format version written by this code.
pub const FORMAT_VERSION: u16 = 1;
/// How far in the future `updated_at` may be before a record is refused.
pub const MAX_CLOCK_AHEAD_MS: u64 = 10 * 60 * 1000;
/// Longest allowed span from `updated_at` to `valid_until`.
pub const MAX_VALIDITY_MS: u64 = 400 * DAY_MS;
/// The signed content of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// Format version it was written with.
    pub version: u16,
    /// Kind of record.
    pub kind: Kind,
    /// The author's id for the record.
    pub id: RecordId,
    /// Strictly increasing per record.
    pub revision: u64,
    /// When this revision was made.
    pub updated_at: Timestamp,
    /// When every node drops the record.
    pub valid_until: Timestamp,
    /// The content; `None` makes this revision a withdrawal.
    pub body: Option<Body>,
}

/// Why payload bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not a CBOR payload of the expected shape.
    #[error("record payload is malformed: {0}")]
    Malformed(String),
    /// Bytes left over after the payload.
    #[error("record payload has {0} trailing bytes")]
    TrailingBytes(usize),
    /// Version 0 does not exist.
    #[error("record payload has format version 0, which does not exist")]
    BadVersion,
    /// The body does not fit the kind.
    #[error("the {kind} body is malformed: {reason}")]
    Body {
        /// The record kind.
        kind: Kind,
        /// What the decoder said.
        reason: String,
    },
}

/// How a record's times relate to the clock of the node looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Within the rules: keep it.
    Live,
    /// `updated_at` more than ten minutes ahead of our clock: refuse it for now.
    FromFuture,
    /// `valid_until` has passed: drop it.
    Expired,
}

#[derive(Serialize)]
struct WireOut<'a> {
    version: u16,
    kind: Kind,
    id: &'a RecordId,
    revision: u64,
    updated_at: Timestamp,
    valid_until: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a Body>,
}

#[derive(Deserialize)]
struct WireIn {
    version: u16,
    kind: Kind,
    id: RecordId,
    revision: u64,
    updated_at: Timestamp,
    valid_until: Timestamp,
    #[serde(default)]
    body: Option<ciborium::Value>,
}

fn decode_body(kind: Kind, value: &ciborium::Value) -> Result<Body, DecodeError> {
    let reason = |e: ciborium::value::Error| DecodeError::Body {
        kind,
        reason: e.to_string(),
    };
    Ok(match kind {
        Kind::Profile => Body::Profile(value.deserialized::<Profile>().map_err(reason)?),
        Kind::Peering => Body::Peering(value.deserialized::<Peering>().map_err(reason)?),
        Kind::Organisation => {
            Body::Organisation(value.deserialized::<Organisation>().map_err(reason)?)
        }
        Kind::Vacancy => Body::Vacancy(value.deserialized::<Vacancy>().map_err(reason)?),
    })
}

impl Payload {
    /// Whether this revision is a withdrawal (it has no body).
    pub fn is_withdrawal(&self) -> bool {
        self.body.is_none()
    }

    /// Encodes the payload deterministically: the same payload always gives the same bytes.
    pub fn encode(&self) -> Vec<u8> {
        let wire = WireOut {
            version: self.version,
            kind: self.kind,
            id: &self.id,
            revision: self.revision,
            updated_at: self.updated_at,
            valid_until: self.valid_until,
            body: self.body.as_ref(),
        };
        let mut out = Vec::with_capacity(512);
        // Writing into a Vec cannot fail, and every field type serialises infallibly.
        if let Err(e) = ciborium::into_writer(&wire, &mut out) {
            unreachable!("encoding a payload into memory failed: {e}");
        }
        out
    }

    /// Decodes payload bytes. Call only on bytes whose signature was verified: decoding is
    /// the step that runs on attacker-controlled structure.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = bytes;
        let wire: WireIn = ciborium::from_reader(&mut reader)
            .map_err(|e| DecodeError::Malformed(e.to_string()))?;
        if !reader.is_empty() {
            return Err(DecodeError::TrailingBytes(reader.len()));
        }
        if wire.version == 0 {
            return Err(DecodeError::BadVersion);
        }
        let body = wire
            .body
            .as_ref()
            .filter(|v| !v.is_null())
            .map(|v| decode_body(wire.kind, v))
            .transpose()?;
        Ok(Self {
            version: wire.version,
            kind: wire.kind,
            id: wire.id,
            revision: wire.revision,
            updated_at: wire.updated_at,
            valid_until: wire.valid_until,
            body,
        })
    }

    /// Checks every rule (ARCHITECTURE.md, Records) that does not depend on the clock.
    pub fn validate(&self, author: &SteunpuntId, origin: Origin) -> Result<(), ValidationError> {
        let mut c = Checker::new(origin);
        if self.kind.is_singleton() && self.id.as_str() != self.kind.as_str() {
            c.problem("id", "managed_id", &[("kind", &self.kind)]);
        }
        if self.revision == 0 {
            c.problem("revision", "revision", &[]);
        }
        if self.valid_until <= self.updated_at {
            c.problem(
                "valid_until",
                "not_valid",
                &[
                    ("valid_until", &self.valid_until),
                    ("updated_at", &self.updated_at),
                ],
            );
        } else if self.valid_until.0 - self.updated_at.0 > MAX_VALIDITY_MS {
            c.problem(
                "valid_until",
                "valid_too_long",
                &[
                    ("valid_until", &self.valid_until),
                    ("updated_at", &self.updated_at),
                ],
            );
        }
        if let Some(body) = &self.body {
            if body.kind() != self.kind {
                c.problem(
                    "",
                    "body_kind",
                    &[("kind", &self.kind), ("body", &body.kind())],
                );
            }
            match body {
                Body::Profile(b) => b.check(&mut c),
                Body::Peering(b) => b.check(author, &mut c),
                Body::Organisation(b) => b.check(&mut c),
                Body::Vacancy(b) => b.check(&mut c),
            }
        }
        if c.origin() == Origin::Local && self.version != FORMAT_VERSION {
            c.problem("version", "version", &[("version", &FORMAT_VERSION)]);
        }
        c.finish()
    }

    /// Where this record stands against the clock `now`.
    pub fn freshness(&self, now: Timestamp) -> Freshness {
        if self.valid_until <= now {
            Freshness::Expired
        } else if self.updated_at.0 > now.0.saturating_add(MAX_CLOCK_AHEAD_MS) {
            Freshness::FromFuture
        } else {
            Freshness::Live
        }
    }
}
