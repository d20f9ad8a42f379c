//! The signed envelope: the exact bytes that are stored, sent and hashed.
//!
//! Layout: `[format: u8 = 1][author public key: 32][signature: 64][payload: CBOR]`, at most
//! 64 KiB. The signature covers `SIGNING_DOMAIN || author || payload`. Receivers verify
//! before decoding anything, and never re-serialise to verify.
//!
//! Verification follows ZIP-215 (ed25519-zebra), so that verifying a page of records in
//! one batch accepts exactly what verifying them one by one accepts: every node must agree
//! on which records are valid, or sync would offer forever what a neighbour refuses. A
//! small-order author key (one anybody can sign for) is refused as well.

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

    fn signature(&self) -> Signature {
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&self.bytes[33..HEADER_LEN]);
        Signature::from_bytes(&sig)
    }

    fn signed_message(&self) -> Vec<u8> {
        signed_message(self.author.as_bytes(), self.payload_bytes())
    }

    /// Verifies the signature.
    pub fn verify(&self) -> Result<(), EnvelopeError> {
        check_author(&self.author)?;
        let key = ed25519_zebra::VerificationKey::try_from(*self.author.as_bytes())
            .map_err(|_| EnvelopeError::BadAuthor)?;
        key.verify(&self.signature(), &self.signed_message())
            .map_err(|_| EnvelopeError::BadSignature)
    }

    /// Verifies the signatures of many envelopes in one batch, about twice as fast per
    /// signature as one by one (more when few authors signed many of them); the result of
    /// each, in order. If the batch fails, each is verified on its own to find which.
    pub fn verify_all(envelopes: Vec<Envelope>) -> Vec<Result<Verified, EnvelopeError>> {
        let mut authors: std::collections::HashMap<SteunpuntId, Result<(), EnvelopeError>> =
            std::collections::HashMap::new();
        let mut batch = ed25519_zebra::batch::Verifier::new();
        let mut seed = blake3::Hasher::new();
        let mut results = Vec::with_capacity(envelopes.len());
        for envelope in envelopes {
            let author = authors
                .entry(envelope.author)
                .or_insert_with(|| check_author(&envelope.author))
                .clone();
            match author {
                Err(e) => results.push(Err(e.clone())),
                Ok(()) => {
                    seed.update(envelope.hash.0.as_slice());
                    batch.queue((
                        ed25519_zebra::VerificationKeyBytes::from(*envelope.author.as_bytes()),
                        envelope.signature(),
                        envelope.signed_message().as_slice(),
                    ));
                    results.push(Ok(Verified(envelope)));
                }
            }
        }
        // The batch's random coefficients come from what it verifies, so the result is
        // the same on every run (and the protocol crate needs no randomness source).
        if batch.verify(SeededRng(seed.finalize_xof())).is_err() {
            for result in &mut results {
                let failed = match result {
                    Ok(Verified(envelope)) => envelope.verify().err(),
                    Err(_) => None,
                };
                if let Some(failed) = failed {
                    *result = Err(failed);
                }
            }
        }
        results
    }

    /// Verifies this one envelope's signature.
    pub fn verified(self) -> Result<Verified, EnvelopeError> {
        self.verify().map(|()| Verified(self))
    }

    /// Verifies, then decodes, then checks the clock-independent rules, treating the record
    /// as received from a peer.
    pub fn open(self) -> Result<Record, OpenError> {
        self.verified()?.open()
    }
}

/// An envelope whose signature verified.
#[derive(Debug, Clone)]
pub struct Verified(Envelope);

impl Verified {
    /// The envelope.
    pub fn envelope(&self) -> &Envelope {
        &self.0
    }

    /// Decodes, then checks the clock-independent rules, treating the record as received
    /// from a peer.
    pub fn open(self) -> Result<Record, OpenError> {
        let envelope = self.0;
        let payload = Payload::decode(envelope.payload_bytes())?;
        payload.validate(&envelope.author, Origin::Remote)?;
        Ok(Record { envelope, payload })
    }
}

/// Refuses an author key that is not a point, or is one of small order (anybody can make
/// signatures that verify under it).
fn check_author(author: &SteunpuntId) -> Result<(), EnvelopeError> {
    match author.verifying_key() {
        Ok(key) if !key.is_weak() => Ok(()),
        _ => Err(EnvelopeError::BadAuthor),
    }
}

/// A deterministic stream of random bytes for batch verification, from BLAKE3's output.
struct SeededRng(blake3::OutputReader);

impl rand_core_010::TryRng for SeededRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.0.fill(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.0.fill(&mut bytes);
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst);
        Ok(())
    }
}

impl rand_core_010::TryCryptoRng for SeededRng {}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;
    use crate::testing::{published, vacancy};

    fn envelopes(n: usize) -> Vec<Envelope> {
        (0..n)
            .map(|i| {
                let mut v = vacancy();
                v.title = format!("Vacature {i}");
                published(Body::Vacancy(v), &format!("v{i}"))
                    .envelope()
                    .clone()
            })
            .collect()
    }

    fn with_byte_flipped(envelope: &Envelope, at: usize) -> Envelope {
        let mut bytes = envelope.as_bytes().to_vec();
        bytes[at] ^= 1;
        Envelope::from_bytes(bytes).unwrap()
    }

    #[test]
    fn a_batch_accepts_exactly_what_one_by_one_accepts() {
        let mut batch = envelopes(40);
        // A bad signature, a changed payload and a small-order author among good ones.
        batch[3] = with_byte_flipped(&batch[3], 40);
        batch[17] = with_byte_flipped(&batch[17], HEADER_LEN + 5);
        let mut weak = batch[29].as_bytes().to_vec();
        weak[1..33].copy_from_slice(&[0; 32]);
        weak[1] = 1; // the identity point, of order one
        batch[29] = Envelope::from_bytes(weak).unwrap();
        let one_by_one: Vec<bool> = batch.iter().map(|e| e.verify().is_ok()).collect();
        let together: Vec<bool> = Envelope::verify_all(batch)
            .iter()
            .map(Result::is_ok)
            .collect();
        assert_eq!(together, one_by_one);
        let refused: Vec<usize> = (0..40).filter(|i| !together[*i]).collect();
        assert_eq!(refused, vec![3, 17, 29]);
    }

    #[test]
    fn a_good_batch_is_all_verified() {
        let results = Envelope::verify_all(envelopes(10));
        assert!(results.iter().all(Result::is_ok));
        let record = results.into_iter().next().unwrap().unwrap().open().unwrap();
        assert_eq!(record.payload().id.as_str(), "v0");
    }
}
