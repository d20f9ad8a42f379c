//! Making new revisions of our own records, enforcing the author's side of the rules:
//! revisions strictly increase, `valid_until` is never lowered, withdrawals outlive what
//! they replace, and local input must use known vocabulary and postcodes.

use crate::body::Body;
use crate::envelope::{EnvelopeError, Record};
use crate::id::{Kind, RecordId};
use crate::keys::SteunpuntKey;
use crate::record::{FORMAT_VERSION, MAX_VALIDITY_MS, Payload};
use crate::timestamp::Timestamp;
use crate::validate::{Origin, ValidationError};

/// Why a new revision could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorError {
    /// The content breaks a rule.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// The signed record would exceed 64 KiB.
    #[error("{0}; shorten the description or lists")]
    TooLarge(#[from] EnvelopeError),
    /// The new revision would expire earlier than the current one.
    #[error(
        "valid_until {requested} is earlier than the current revision's {current}; a record's validity can only be extended (withdraw it to take it down)"
    )]
    LowersValidUntil {
        /// Requested expiry.
        requested: Timestamp,
        /// Current expiry.
        current: Timestamp,
    },
    /// The previous revision is for a different record.
    #[error("the previous revision is {0}, not this record")]
    WrongPrevious(String),
    /// Nothing to withdraw.
    #[error("{0} is already withdrawn")]
    AlreadyWithdrawn(RecordId),
}

/// What a new revision should say.
#[derive(Debug, Clone)]
pub struct Revision {
    /// Kind of record.
    pub kind: Kind,
    /// Id of the record.
    pub id: RecordId,
    /// New content, or `None` to withdraw.
    pub body: Option<Body>,
    /// Requested expiry; raised to the previous revision's if that is later for a
    /// withdrawal, refused if lower for an update.
    pub valid_until: Timestamp,
}

/// Makes and signs the next revision after `previous` (the latest revision we hold, if any).
pub fn author(
    key: &SteunpuntKey,
    previous: Option<&Payload>,
    revision: Revision,
    now: Timestamp,
) -> Result<Record, AuthorError> {
    let mut valid_until = revision.valid_until;
    if let Some(prev) = previous {
        if prev.kind != revision.kind || prev.id != revision.id {
            return Err(AuthorError::WrongPrevious(format!(
                "{} {}",
                prev.kind, prev.id
            )));
        }
        if revision.body.is_none() {
            valid_until = valid_until.max(prev.valid_until);
        } else if valid_until < prev.valid_until {
            return Err(AuthorError::LowersValidUntil {
                requested: valid_until,
                current: prev.valid_until,
            });
        }
    }
    let updated_at = previous.map_or(now, |p| now.max(p.updated_at.plus_ms(1)));
    let payload = Payload {
        version: FORMAT_VERSION,
        kind: revision.kind,
        id: revision.id,
        revision: previous.map_or(1, |p| p.revision.saturating_add(1)),
        updated_at,
        valid_until,
        body: revision.body,
    };
    payload.validate(&key.id(), Origin::Local)?;
    Ok(Record::seal(key, payload)?)
}

/// Withdraws a record: the next revision without a body, valid as long as `previous`.
pub fn withdraw(
    key: &SteunpuntKey,
    previous: &Payload,
    now: Timestamp,
) -> Result<Record, AuthorError> {
    if previous.is_withdrawal() {
        return Err(AuthorError::AlreadyWithdrawn(previous.id.clone()));
    }
    // A withdrawal must outlive what it replaces, and stay within the 400-day window.
    let valid_until = previous.valid_until.max(now.plus_ms(1));
    let updated_at = now.max(previous.updated_at.plus_ms(1));
    let valid_until = Timestamp(valid_until.0.min(updated_at.0 + MAX_VALIDITY_MS));
    author(
        key,
        Some(previous),
        Revision {
            kind: previous.kind,
            id: previous.id.clone(),
            body: None,
            valid_until,
        },
        now,
    )
}
