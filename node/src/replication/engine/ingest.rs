//! Records from the network: screened before the signature, verified, merged with
//! what we hold, stored, counted; pages from a sync in one write.

use std::sync::Arc;

use serde::Serialize;
use steunpunt_protocol::envelope::EnvelopeError;
use steunpunt_protocol::merge::{MergeOutcome, merge};
use steunpunt_protocol::{
    Envelope, Freshness, Kind, OpenError, Record, RecordHash, RecordKey, Timestamp, Verified,
};

use crate::store::{Store, StoreError};

use super::Engine;

/// A record that changed the node's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Which record.
    pub key: RecordKey,
    /// Hash of the new revision.
    pub hash: RecordHash,
    /// Hash of the revision it replaced, if any.
    pub replaced: Option<RecordHash>,
    /// Whether this was an equal-revision conflict (an equivocation by the author).
    pub equivocation: bool,
    /// Whether the trusted set changed because of it.
    pub trust_changed: bool,
}

/// What happened to received bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Stored: it changed our state.
    Accepted(Accepted),
    /// The exact record we already hold.
    Duplicate,
    /// Older than what we hold (or losing an equivocation tie-break).
    Stale {
        /// Whether it was an equal-revision conflict (an equivocation by the author).
        equivocation: bool,
    },
    /// A valid record whose author we do not trust: ignored, not penalised.
    Untrusted,
    /// Its `valid_until` has passed.
    Expired,
    /// Its `updated_at` is too far ahead of our clock.
    FromFuture,
    /// Malformed, badly signed or breaking the rules: penalise whoever sent it.
    Invalid(OpenError),
    /// Valid, but our storage failed; it will be offered again by sync.
    NotStored(String),
}

/// How gossip should treat a message, from its ingest outcome (ARCHITECTURE.md, Replication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It changed our state: forward it.
    Accept,
    /// Stale, duplicate, untrusted or untimely: drop it quietly.
    Ignore,
    /// Invalid: drop it and penalise the sender.
    Reject,
}

impl IngestOutcome {
    /// The gossip verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            IngestOutcome::Accepted(_) => Verdict::Accept,
            _ if self.is_offence() => Verdict::Reject,
            _ => Verdict::Ignore,
        }
    }

    /// Whether whoever sent these bytes did what no honest node of any version does: a
    /// signature that does not verify, or broken framing. A newer envelope format, a
    /// payload this version cannot decode or a rule it does not know may come from a newer
    /// node: such a record is dropped, not held against the sender.
    pub fn is_offence(&self) -> bool {
        matches!(
            self,
            IngestOutcome::Invalid(OpenError::Envelope(
                EnvelopeError::BadSignature
                    | EnvelopeError::BadAuthor
                    | EnvelopeError::TooShort(_)
                    | EnvelopeError::TooLarge(_)
            ))
        )
    }
}

/// What a page of received envelopes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageOutcome {
    /// Records that changed our state.
    pub accepted: usize,
    /// Records no honest node sends ([`IngestOutcome::is_offence`]).
    pub offences: u32,
}

/// Received bytes after the checks that come before the signature.
enum Screened {
    /// Decided without the signature.
    Done(IngestOutcome),
    /// To be verified.
    Verify(Envelope),
}

/// Counts of everything the engine did, for metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Received records stored.
    pub accepted: u64,
    /// Received records already held.
    pub duplicate: u64,
    /// Received records older than ours.
    pub stale: u64,
    /// Received records by untrusted authors.
    pub untrusted: u64,
    /// Received records already expired.
    pub expired: u64,
    /// Received records from too far in the future.
    pub from_future: u64,
    /// Received records that were invalid.
    pub invalid: u64,
    /// Received valid records that storage failed to write.
    pub not_stored: u64,
    /// Equal-revision conflicts seen.
    pub equivocations: u64,
    /// Higher revisions that lowered `valid_until`.
    pub validity_lowered: u64,
    /// Records dropped because they expired.
    pub purged_expired: u64,
    /// Records dropped because their author is no longer trusted.
    pub purged_untrusted: u64,
    /// Own records published or withdrawn.
    pub published: u64,
    /// Own records renewed automatically.
    pub renewed: u64,
    /// Writes to the store that failed (disk full, IO errors).
    pub store_failures: u64,
}

impl<S: Store> Engine<S> {
    /// Runs received envelope bytes through the pipeline: framing → duplicate check →
    /// trust → signature and rules → clock → merge → store → trust update.
    pub fn ingest(&mut self, bytes: impl Into<Arc<[u8]>>, now: Timestamp) -> IngestOutcome {
        let outcome = match self.screen(bytes.into()) {
            Screened::Done(outcome) => outcome,
            Screened::Verify(envelope) => self.admit(envelope.verified(), now),
        };
        self.count(&outcome);
        outcome
    }

    pub(super) fn count(&mut self, outcome: &IngestOutcome) {
        let c = &mut self.counters;
        match outcome {
            IngestOutcome::Accepted(a) => {
                c.accepted += 1;
                if a.equivocation {
                    c.equivocations += 1;
                }
            }
            IngestOutcome::Duplicate => c.duplicate += 1,
            IngestOutcome::Stale { equivocation } => {
                c.stale += 1;
                if *equivocation {
                    c.equivocations += 1;
                }
            }
            IngestOutcome::Untrusted => c.untrusted += 1,
            IngestOutcome::Expired => c.expired += 1,
            IngestOutcome::FromFuture => c.from_future += 1,
            IngestOutcome::Invalid(_) => c.invalid += 1,
            IngestOutcome::NotStored(_) => c.not_stored += 1,
        }
    }

    /// The checks before the signature: framing, duplicate, trust.
    fn screen(&self, bytes: Arc<[u8]>) -> Screened {
        let envelope = match Envelope::from_bytes(bytes) {
            Ok(e) => e,
            Err(e) => return Screened::Done(IngestOutcome::Invalid(e.into())),
        };
        // The hash covers the exact bytes, so a known hash is a known, verified record.
        if self.by_hash.contains_key(&envelope.hash()) {
            return Screened::Done(IngestOutcome::Duplicate);
        }
        if !self.trust.contains(&envelope.author()) {
            return Screened::Done(IngestOutcome::Untrusted);
        }
        Screened::Verify(envelope)
    }

    /// The rest of the pipeline after the signature was checked.
    fn admit(
        &mut self,
        verified: Result<Verified, EnvelopeError>,
        now: Timestamp,
    ) -> IngestOutcome {
        // Trust may have changed since the envelope was screened: a page can hold a
        // peering record that stops vouching for an author whose records follow it.
        if let Ok(v) = &verified
            && !self.trust.contains(&v.envelope().author())
        {
            return IngestOutcome::Untrusted;
        }
        let record = match verified.map_err(OpenError::from).and_then(Verified::open) {
            Ok(r) => r,
            Err(e) => return IngestOutcome::Invalid(e),
        };
        match record.payload().freshness(now) {
            Freshness::Live => {}
            Freshness::Expired => return IngestOutcome::Expired,
            Freshness::FromFuture => {
                self.clock_ahead(record.key().author, record.payload().updated_at, now);
                return IngestOutcome::FromFuture;
            }
        }
        let key = record.key();
        let current = self.index.get(&key).copied();
        let outcome = merge(current.as_ref().map(|m| &m.version), &record.version());
        let equivocation = matches!(outcome, MergeOutcome::Equivocation { .. });
        if equivocation {
            *self.equivocations_by_author.entry(key.author).or_default() += 1;
        }
        match outcome {
            MergeOutcome::Duplicate => return IngestOutcome::Duplicate,
            _ if !outcome.incoming_wins() => return IngestOutcome::Stale { equivocation },
            _ => {}
        }
        // An honest author never lowers valid_until. Revision order still decides, so all
        // nodes converge; the fault is counted.
        if current.is_some_and(|m| m.valid_until > record.payload().valid_until) {
            self.counters.validity_lowered += 1;
        }
        match self.store_record(&record, current.map(|m| m.version.hash)) {
            Ok(trust_changed) => IngestOutcome::Accepted(Accepted {
                key,
                hash: record.hash(),
                replaced: current.map(|m| m.version.hash),
                equivocation,
                trust_changed,
            }),
            // Not stored, so not acknowledged: the sender or another peer will offer it again.
            Err(e) => IngestOutcome::NotStored(e.to_string()),
        }
    }

    /// Ingests a page of envelopes from one peer, their signatures verified in one batch.
    ///
    /// A page may hold a `peering` record that makes other authors in the same page
    /// trusted; their records are retried after trust changes, so the order of records
    /// within a page never matters.
    pub fn ingest_page<B: Into<Arc<[u8]>>>(
        &mut self,
        envelopes: impl IntoIterator<Item = B>,
        now: Timestamp,
    ) -> PageOutcome {
        let mut pending: Vec<Arc<[u8]>> = envelopes.into_iter().map(Into::into).collect();
        let mut page = PageOutcome::default();
        loop {
            let mut outcomes: Vec<Option<IngestOutcome>> = Vec::with_capacity(pending.len());
            let mut unverified = Vec::new();
            for bytes in &pending {
                match self.screen(Arc::clone(bytes)) {
                    Screened::Done(outcome) => outcomes.push(Some(outcome)),
                    Screened::Verify(envelope) => {
                        outcomes.push(None);
                        unverified.push(envelope);
                    }
                }
            }
            let mut verified = Envelope::verify_all(unverified).into_iter();
            let mut untrusted = Vec::new();
            let mut trust_changed = false;
            for (bytes, outcome) in pending.into_iter().zip(outcomes) {
                let outcome = match outcome.ok_or_else(|| verified.next()) {
                    Ok(outcome) => outcome,
                    Err(Some(result)) => self.admit(result, now),
                    Err(None) => unreachable!("one verification per envelope screened"),
                };
                match &outcome {
                    IngestOutcome::Accepted(a) => {
                        page.accepted += 1;
                        trust_changed |= a.trust_changed;
                    }
                    // Counted once, after the last pass.
                    IngestOutcome::Untrusted => {
                        untrusted.push(bytes);
                        continue;
                    }
                    other if other.is_offence() => page.offences += 1,
                    _ => {}
                }
                self.count(&outcome);
            }
            if !trust_changed || untrusted.is_empty() {
                self.counters.untrusted += untrusted.len() as u64;
                return page;
            }
            // Each pass trusts at least one more author, so this ends.
            pending = untrusted;
        }
    }

    /// Writes a record that won its merge; returns whether trust changed.
    pub(super) fn store_record(
        &mut self,
        record: &Record,
        replaces: Option<RecordHash>,
    ) -> Result<bool, StoreError> {
        let key = record.key();
        if let Err(e) = self.store.put(&key, record.envelope(), replaces.as_ref()) {
            return Err(self.store_failed(e));
        }
        self.store_ok();
        self.remember(record);
        if key.kind == Kind::Peering {
            self.recompute_trust()
        } else {
            Ok(false)
        }
    }
}
