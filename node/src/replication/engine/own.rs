//! Our own records: drafts staff write become signed revisions, durable before they
//! return; withdrawals, the profile and peering record the node manages, renewal.

use serde::Serialize;
use steunpunt_protocol::body::{Peering, Profile};
use steunpunt_protocol::record::MAX_VALIDITY_MS;
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{
    AuthorError, Body, Kind, OpenError, Payload, Record, RecordHash, RecordId, RecordKey, Revision,
    Timestamp,
};

use crate::store::{Store, StoreError};

use super::{Engine, HeldRecords};

/// A record as staff wrote it, before it becomes a signed revision.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Kind of record.
    pub kind: Kind,
    /// Its id: as given, or made from the title (see `id_from_title`).
    pub id: RecordId,
    /// The id was made from the title, not given: the draft then updates only a record
    /// that is clearly the same ([`Body::same_subject`]) and otherwise gets the next free
    /// numbered id (`…-2`, `…-3`), so a new vacancy never replaces another with the same
    /// title.
    pub id_from_title: bool,
    /// What it says.
    pub body: Body,
    /// Requested expiry, if any; otherwise [`default_validity_ms`] of the kind.
    pub valid_until: Option<Timestamp>,
}

/// Most numbered ids tried for one title before the draft is refused.
const MAX_NUMBERED_IDS: u32 = 1000;

/// What publishing a draft did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftOutcome {
    /// A record that did not exist (or was withdrawn) now does.
    New,
    /// A new revision replaced a different one.
    Updated {
        /// The body fields whose values changed, and `valid_until` when a new one was
        /// asked for.
        changed: Vec<String>,
    },
    /// The live revision already said exactly this; nothing was written.
    Unchanged,
}

/// An unchanged draft of a record that expires within this time renews it, so importing
/// the same spreadsheet again keeps its vacancies up.
pub const RENEW_WITHIN_MS: u64 = 30 * DAY_MS;

/// Validity of one of our own records when staff name none: a vacancy must be looked at
/// again within three months, everything else within a year (renewed automatically).
pub fn default_validity_ms(kind: Kind) -> u64 {
    match kind {
        Kind::Vacancy => 90 * DAY_MS,
        Kind::Profile | Kind::Peering | Kind::Organisation => 365 * DAY_MS,
    }
}

/// Why the engine could not do what was asked: publish or withdraw one of our records,
/// or read a held record back (reads fail with it too, hence not `PublishError`).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The content or the revision breaks a rule.
    #[error(transparent)]
    Author(#[from] AuthorError),
    /// There is no live record with this id to change.
    #[error("there is no {kind} with id `{id}` to withdraw")]
    NotFound {
        /// Kind asked for.
        kind: Kind,
        /// Id asked for.
        id: RecordId,
    },
    /// The profile and the peering record are the node's own: they change through
    /// `config.toml` and the peer commands, never by a withdrawal.
    #[error(
        "the {0} record is managed by the node: edit config.toml for the profile, use the peer commands for peering"
    )]
    Managed(Kind),
    /// A steunpunt cannot peer with or block itself.
    #[error("that is this steunpunt's own ID")]
    OwnSteunpunt,
    /// Every numbered id made from this title holds another record of ours.
    #[error("every id made from `{id}` is taken by another {kind}; give the draft an id")]
    NoFreeId {
        /// Kind of the draft.
        kind: Kind,
        /// The id made from its title.
        id: RecordId,
    },
    /// After a restore, our own records are being learned back from the neighbours;
    /// nothing of ours is published until that is done, so no revision the region has
    /// seen is made again.
    #[error(
        "this node is getting its own records back from its neighbours after a restore; try again in a minute"
    )]
    Recovering,
    /// Storage failed; nothing was acknowledged.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record could not be read back.
    #[error("stored record could not be read: {0}")]
    Damaged(OpenError),
}

impl<S: Store> Engine<S> {
    fn own_key(&self, kind: Kind, id: &RecordId) -> RecordKey {
        RecordKey {
            author: self.me,
            kind,
            id: id.clone(),
        }
    }

    /// Publishes the next revision of one of our own records. Returns only once the record
    /// is durable on disk: an acknowledged record is never lost.
    pub fn publish(
        &mut self,
        kind: Kind,
        id: RecordId,
        body: Body,
        valid_until: Timestamp,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        let previous = self.get(&self.own_key(kind, &id))?;
        let record = self.revise(previous.as_ref(), kind, id, body, valid_until, now)?;
        self.commit_own(record, previous.map(|p| p.hash()))
    }

    /// Signs the next revision of one of our records after `previous`.
    fn revise(
        &self,
        previous: Option<&Record>,
        kind: Kind,
        id: RecordId,
        body: Body,
        valid_until: Timestamp,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        Ok(steunpunt_protocol::author(
            &self.key,
            previous.map(Record::payload),
            Revision {
                kind,
                id,
                body: Some(body),
                valid_until,
            },
            now,
        )?)
    }

    /// Publishes a draft of one of our own records unless it says what the live revision
    /// already says, so importing the same file twice changes nothing, unless it expires
    /// within [`RENEW_WITHIN_MS`]: then it is renewed. Without a requested `valid_until`
    /// the record stays valid for at least [`default_validity_ms`] and, for a vacancy,
    /// until its end date. With
    /// `dry_run` the revision is made and checked but neither stored nor counted.
    pub fn publish_draft(
        &mut self,
        draft: Draft,
        now: Timestamp,
        dry_run: bool,
    ) -> Result<(Record, DraftOutcome), EngineError> {
        let (id, latest) = if draft.id_from_title {
            self.id_for_title(&draft)?
        } else {
            let latest = self.get(&self.own_key(draft.kind, &draft.id))?;
            (draft.id.clone(), latest)
        };
        let live = latest.as_ref().filter(|r| !r.payload().is_withdrawal());
        if let Some(live) = live
            && live.payload().body.as_ref() == Some(&draft.body)
            && draft
                .valid_until
                .is_none_or(|v| v == live.payload().valid_until)
            && (draft.valid_until.is_some()
                || live.payload().valid_until > now.plus_ms(RENEW_WITHIN_MS))
        {
            return Ok((live.clone(), DraftOutcome::Unchanged));
        }
        // Never before the work ends: a vacancy for an event in four months stays up
        // until the event is over (within the 400-day rule).
        let ends = match &draft.body {
            Body::Vacancy(v) => v.end.map(|end| end.start().plus_ms(DAY_MS)),
            _ => None,
        };
        let default_until = now
            .plus_ms(default_validity_ms(draft.kind))
            .max(ends.unwrap_or(now))
            .min(now.plus_ms(MAX_VALIDITY_MS));
        let valid_until = draft.valid_until.unwrap_or_else(|| {
            live.map_or(default_until, |p| {
                default_until.max(p.payload().valid_until)
            })
        });
        let outcome = match live {
            Some(live) => {
                let old = live.payload();
                let mut changed = old
                    .body
                    .as_ref()
                    .map(|body| body.changed_fields(&draft.body))
                    .unwrap_or_default();
                // Asked for, not the default moving on with the clock.
                if draft.valid_until.is_some() && old.valid_until != valid_until {
                    changed.push("valid_until".to_owned());
                }
                DraftOutcome::Updated { changed }
            }
            None => DraftOutcome::New,
        };
        let record = self.revise(
            latest.as_ref(),
            draft.kind,
            id,
            draft.body,
            valid_until,
            now,
        )?;
        if dry_run {
            return Ok((record, outcome));
        }
        let record = self.commit_own(record, latest.map(|r| r.hash()))?;
        Ok((record, outcome))
    }

    /// The id for a draft whose id was made from its title: the first of `id`, `id-2`,
    /// `id-3`, … that is free (never used, or withdrawn) or holds the same vacancy or
    /// organisation ([`Body::same_subject`]), with the latest revision held under it (read
    /// once, as publishing needs it).
    fn id_for_title(&self, draft: &Draft) -> Result<(RecordId, Option<Record>), EngineError> {
        for n in 1..=MAX_NUMBERED_IDS {
            let id = draft.id.numbered(n);
            let latest = self.get(&self.own_key(draft.kind, &id))?;
            let live_body = latest
                .as_ref()
                .filter(|r| !r.payload().is_withdrawal())
                .and_then(|r| r.payload().body.as_ref());
            match live_body {
                None => return Ok((id, latest)),
                Some(body) if body.same_subject(&draft.body) => return Ok((id, latest)),
                Some(_) => {}
            }
        }
        Err(EngineError::NoFreeId {
            kind: draft.kind,
            id: draft.id.clone(),
        })
    }

    /// Withdraws one of our own records; durable before it returns.
    pub fn withdraw(
        &mut self,
        kind: Kind,
        id: RecordId,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        if matches!(kind, Kind::Profile | Kind::Peering) {
            return Err(EngineError::Managed(kind));
        }
        let key = self.own_key(kind, &id);
        let previous = self
            .get(&key)?
            .filter(|r| !r.payload().is_withdrawal())
            .ok_or(EngineError::NotFound { kind, id })?;
        let record = steunpunt_protocol::withdraw(&self.key, previous.payload(), now)?;
        self.commit_own(record, Some(previous.hash()))
    }

    /// Publishes our profile when it differs from `desired`; the node's PeerIds already
    /// listed are kept and `node` is added, so a second node of the same steunpunt stays
    /// allowed. Returns the new revision, if one was made.
    pub fn ensure_profile(
        &mut self,
        mut desired: Profile,
        node: &str,
        now: Timestamp,
    ) -> Result<Option<Record>, EngineError> {
        let current = self.profile(self.me)?;
        let mut nodes = current
            .as_ref()
            .map(|p| p.nodes.clone())
            .unwrap_or_default();
        if !nodes.iter().any(|n| n == node) {
            nodes.push(node.to_owned());
        }
        desired.nodes = nodes;
        if desired.address.is_none() {
            desired.address = current.as_ref().and_then(|p| p.address.clone());
        }
        if current.as_ref() == Some(&desired) {
            return Ok(None);
        }
        self.publish_managed(Kind::Profile, Body::Profile(desired), now)
            .map(Some)
    }

    /// Our peering record as it stands (empty before the first `peer add`).
    pub fn own_peering(&self) -> Result<Peering, EngineError> {
        Ok(
            match self.get(&self.own_key(Kind::Peering, &RecordId::peering()))? {
                Some(record) => match &record.payload().body {
                    Some(Body::Peering(p)) => p.clone(),
                    _ => Peering::default(),
                },
                None => Peering::default(),
            },
        )
    }

    /// Publishes the next revision of our peering record as `change` makes it.
    pub fn change_peering(
        &mut self,
        change: impl FnOnce(&mut Peering),
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        let mut peering = self.own_peering()?;
        change(&mut peering);
        self.publish_managed(Kind::Peering, Body::Peering(peering), now)
    }

    /// Publishes a record the node manages itself, valid for [`default_validity_ms`] and
    /// never for less than the revision it replaces.
    fn publish_managed(
        &mut self,
        kind: Kind,
        body: Body,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        let id = match kind {
            Kind::Profile => RecordId::profile(),
            _ => RecordId::peering(),
        };
        let previous = self.get(&self.own_key(kind, &id))?;
        let until = previous
            .as_ref()
            .map_or(now, |p| p.payload().valid_until)
            .max(now.plus_ms(default_validity_ms(kind)));
        let record = self.revise(previous.as_ref(), kind, id, body, until, now)?;
        self.commit_own(record, previous.map(|p| p.hash()))
    }

    fn commit_own(
        &mut self,
        record: Record,
        replaces: Option<RecordHash>,
    ) -> Result<Record, EngineError> {
        self.store_record(&record, replaces)?;
        // Durable before it is acknowledged; the search index commits at the next flush
        // (a tantivy commit per record would make an import ten times slower).
        if let Err(e) = self.store.flush() {
            return Err(self.store_failed(e).into());
        }
        self.counters.published += 1;
        Ok(record)
    }

    /// Renews our own profile, peering and organisation records that would expire within
    /// the configured margin, keeping their content. Vacancies are never renewed
    /// automatically: a stale vacancy must disappear.
    pub fn renew_own(&mut self, now: Timestamp) -> Result<Vec<Record>, EngineError> {
        let (me, margin) = (self.me, self.config.renew_before_ms);
        let due = self.keys_where(|k, m| {
            k.author == me
                && k.kind != Kind::Vacancy
                && !m.withdrawn
                && m.valid_until.0.saturating_sub(now.0) < margin
        });
        let validity = self.config.renew_validity_ms.min(MAX_VALIDITY_MS);
        let mut renewed = Vec::new();
        for key in due {
            let Some(current) = self.get(&key)? else {
                continue;
            };
            let Some(body) = current.payload().body.clone() else {
                continue;
            };
            let until = now.plus_ms(validity).max(current.payload().valid_until);
            renewed.push(self.publish(key.kind, key.id, body, until, now)?);
            self.counters.renewed += 1;
        }
        Ok(renewed)
    }

    /// Our own held payload for `key`, if any (for tests and the API).
    pub fn own_payload(&self, kind: Kind, id: &RecordId) -> Result<Option<Payload>, EngineError> {
        let key = self.own_key(kind, id);
        Ok(self.get(&key)?.map(|r| r.payload().clone()))
    }
}
