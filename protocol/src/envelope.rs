//! The signed envelope: the exact bytes that are stored, sent and hashed.
//!
//! Layout: `[format: u8 = 1][author public key: 32][signature: 64][payload: CBOR]`, at most
//! 64 KiB. The signature covers `SIGNING_DOMAIN || author || payload`. Receivers verify
//! with `verify_strict` before decoding anything, and never re-serialise to verify.

use std::sync::Arc;

use ed25519_dalek::Signature;

use crate::hash::RecordHash;
use crate::id::RecordKey;
use crate::keys::{SteunpuntId, SteunpuntKey};
use crate::record::{DecodeError, Payload};
use crate::validate::{Origin, ValidationError};

/// Envelope format written by this code.
pub const ENVELOPE_VERSION: u8 = 1;
/// Largest envelope accepted or produced.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 1 + 32 + 64;
/// Domain separation for record signatures, so they can never be replayed as anything else.
pub const SIGNING_DOMAIN: &[u8] = b"steunpunt-federatie/record/v1\0";

/// Envelope bytes whose framing was checked. Cheap to clone.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    bytes: Arc<[u8]>,
    author: SteunpuntId,
    hash: RecordHash,
}

/// Why bytes are not a valid signed envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Larger than [`MAX_ENVELOPE_BYTES`].
    #[error("record is {0} bytes; at most 65536 are allowed")]
    TooLarge(usize),
    /// Shorter than the header.
    #[error("record is only {0} bytes, too short to be a signed record")]
    TooShort(usize),
    /// An envelope format this code does not know.
    #[error("record envelope has unknown format {0}")]
    UnknownFormat(u8),
    /// The author bytes are not a public key.
    #[error("record author is not a valid public key")]
    BadAuthor,
    /// The signature does not verify.
    #[error("record signature does not verify")]
    BadSignature,
}

/// Why received bytes could not be opened as a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Framing or signature.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The payload does not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The payload breaks a rule.
    #[error("record breaks the rules: {0}")]
    Invalid(#[from] ValidationError),
}

fn signed_message(author: &[u8; 32], payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNING_DOMAIN.len() + 32 + payload.len());
    message.extend_from_slice(SIGNING_DOMAIN);
    message.extend_from_slice(author);
    message.extend_from_slice(payload);
    message
}

impl Envelope {
    /// Checks size and framing of received bytes, and that the author is a valid key.
    /// Does not verify the signature.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Result<Self, EnvelopeError> {
        Self::parse(bytes.into(), |key| {
            SteunpuntId::from_bytes(key).map_err(|_| EnvelopeError::BadAuthor)
        })
    }

    /// Reads back bytes the node stored after [`Envelope::open`] accepted them: the same
    /// framing checks, without checking the author's key again (see
    /// [`SteunpuntId::from_stored_bytes`]). Never for bytes from the network.
    pub fn from_stored(bytes: impl Into<Arc<[u8]>>) -> Result<Self, EnvelopeError> {
        Self::parse(bytes.into(), |key| Ok(SteunpuntId::from_stored_bytes(key)))
    }

    fn parse(
        bytes: Arc<[u8]>,
        author: impl FnOnce([u8; 32]) -> Result<SteunpuntId, EnvelopeError>,
    ) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(EnvelopeError::TooLarge(bytes.len()));
        }
        if bytes.len() < HEADER_LEN {
            return Err(EnvelopeError::TooShort(bytes.len()));
        }
        if bytes[0] != ENVELOPE_VERSION {
            return Err(EnvelopeError::UnknownFormat(bytes[0]));
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes[1..33]);
        let author = author(key)?;
        let hash = RecordHash::of(&bytes);
        Ok(Self {
            bytes,
            author,
            hash,
        })
    }

    /// Signs payload bytes as `key`.
    pub fn sign(key: &SteunpuntKey, payload: &[u8]) -> Result<Self, EnvelopeError> {
        let author = key.id();
        let signature = key.sign(&signed_message(author.as_bytes(), payload));
        let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
        bytes.push(ENVELOPE_VERSION);
        bytes.extend_from_slice(author.as_bytes());
        bytes.extend_from_slice(&signature.to_bytes());
        bytes.extend_from_slice(payload);
        Self::from_bytes(bytes)
    }

    /// The exact bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, shared.
    pub fn shared_bytes(&self) -> Arc<[u8]> {
        Arc::clone(&self.bytes)
    }

    /// The claimed author (trusted only after [`Envelope::verify`]).
    pub fn author(&self) -> SteunpuntId {
        self.author
    }

    /// Hash of the exact bytes.
    pub fn hash(&self) -> RecordHash {
        self.hash
    }

    /// The payload bytes (unverified until [`Envelope::verify`]).
    pub fn payload_bytes(&self) -> &[u8] {
        &self.bytes[HEADER_LEN..]
    }

    /// Verifies the signature strictly (no malleable or small-order keys and signatures).
    pub fn verify(&self) -> Result<(), EnvelopeError> {
        let key = self
            .author
            .verifying_key()
            .map_err(|_| EnvelopeError::BadAuthor)?;
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&self.bytes[33..HEADER_LEN]);
        let signature = Signature::from_bytes(&sig);
        key.verify_strict(
            &signed_message(self.author.as_bytes(), self.payload_bytes()),
            &signature,
        )
        .map_err(|_| EnvelopeError::BadSignature)
    }

    /// Verifies, then decodes, then checks the clock-independent rules, treating the record
    /// as received from a peer.
    pub fn open(self) -> Result<Record, OpenError> {
        self.verify()?;
        let payload = Payload::decode(self.payload_bytes())?;
        payload.validate(&self.author, Origin::Remote)?;
        Ok(Record {
            envelope: self,
            payload,
        })
    }
}

impl Envelope {
    /// Decodes an envelope read back from the node's own store. Everything in the store
    /// was verified with [`Envelope::open`] (or signed by us) before it was written, so the
    /// signature is not checked again; never use this for bytes from the network.
    pub fn decode_stored(self) -> Result<Record, OpenError> {
        let payload = Payload::decode(self.payload_bytes())?;
        Ok(Record {
            envelope: self,
            payload,
        })
    }
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Envelope({} bytes by {}, {:?})",
            self.bytes.len(),
            self.author.short(),
            self.hash
        )
    }
}

/// A record that was verified and decoded, or signed by us: the exact envelope plus what
/// it says. Its fields are private to this module, so the only ways to get one are
/// [`Envelope::open`] (verified), [`Envelope::decode_stored`] (verified before it was
/// stored) and [`Record::seal`] (signed here from the payload it carries).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    envelope: Envelope,
    payload: Payload,
}

impl Record {
    /// Signs `payload` with `key`: the record carries exactly the payload it signs.
    pub(crate) fn seal(key: &SteunpuntKey, payload: Payload) -> Result<Self, EnvelopeError> {
        let envelope = Envelope::sign(key, &payload.encode())?;
        Ok(Self { envelope, payload })
    }

    /// The exact signed bytes, to store and send.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// What the record says.
    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    /// The publishing steunpunt.
    pub fn author(&self) -> SteunpuntId {
        self.envelope.author()
    }

    /// Hash of the envelope bytes.
    pub fn hash(&self) -> crate::hash::RecordHash {
        self.envelope.hash()
    }

    /// (author, kind, id).
    pub fn key(&self) -> RecordKey {
        RecordKey {
            author: self.author(),
            kind: self.payload.kind,
            id: self.payload.id.clone(),
        }
    }

    /// The record's version for merging.
    pub fn version(&self) -> crate::merge::Version {
        crate::merge::Version {
            revision: self.payload.revision,
            hash: self.hash(),
        }
    }
}

/// Opens received bytes as a record: framing, signature, decoding and rules, in that order.
pub fn open(bytes: impl Into<Arc<[u8]>>) -> Result<Record, OpenError> {
    Envelope::from_bytes(bytes)?.open()
}
