//! Driving sync sessions against the engine, independent of the transport: the daemon
//! carries the messages over libp2p request-response, the simulation over its virtual
//! network.
//!
//! The opener runs a [`SyncRun`]: reconcile (coded symbols or a listing), then fetch what
//! it lacks and offer what the other side lacks, one bounded page per request. The
//! responder keeps a bounded set of [`ResponderSessions`] and answers with
//! [`Engine::serve_sync`].

use std::collections::{BTreeSet, VecDeque};

use serde::Serialize;
use serde_bytes::ByteBuf;
use steunpunt_protocol::sync::{
    Initiator, MAX_FETCH, Responder, Step, SyncError, SyncRequest, SyncResponse, restrict,
};
use steunpunt_protocol::{RecordHash, ShortHash, SteunpuntId, Timestamp};

use super::conduct::Offence;
use super::engine::Engine;
use crate::store::Store;

/// Most responder sessions kept open at once; the oldest is dropped beyond this.
pub const MAX_RESPONDER_SESSIONS: usize = 16;
/// Sessions one peer may open in a minute. An honest node opens one per sync run (on
/// connecting, every `sync.interval_secs`, after trust grows, after a sync brought
/// something new, when staff ask) and never two within [`MIN_OPEN_GAP_MS`] with the same
/// peer, so it stays at a third of this whatever its settings. A session answered in full
/// at once holds nothing, but each costs the responder a pass over its records.
pub const MAX_OPENS_PER_MINUTE: usize = 60;
/// Fewest milliseconds between two sessions a node opens with the same peer: three times
/// the spacing [`MAX_OPENS_PER_MINUTE`] allows.
pub const MIN_OPEN_GAP_MS: u64 = 3 * 60_000 / MAX_OPENS_PER_MINUTE as u64;
/// Opens remembered (of all peers) to count [`MAX_OPENS_PER_MINUTE`].
const OPENS_KEPT: usize = 4096;

/// Open responder sessions, keyed by peer and session id, oldest first.
#[derive(Debug)]
pub struct ResponderSessions<P> {
    sessions: VecDeque<(P, u64, Responder)>,
    /// When each peer opened a session, oldest first (within the last minute).
    opens: VecDeque<(P, u64)>,
    limit: usize,
}

impl<P: PartialEq> Default for ResponderSessions<P> {
    fn default() -> Self {
        Self {
            sessions: VecDeque::new(),
            opens: VecDeque::new(),
            limit: MAX_RESPONDER_SESSIONS,
        }
    }
}

impl<P: PartialEq + Clone> ResponderSessions<P> {
    /// Opens a session; whether `peer` opened more than an honest node does (more than
    /// [`MAX_OPENS_PER_MINUTE`] in the last minute).
    ///
    /// A peer's new session ends its earlier ones: an honest node runs one sync with a
    /// peer at a time, and a run that decoded the first coded symbols, or gave up, never
    /// tells us it is done. So each peer holds at most one session here.
    fn insert(&mut self, peer: P, session: u64, responder: Responder, now: Timestamp) -> bool {
        self.sessions.retain(|(p, _, _)| *p != peer);
        if self.sessions.len() >= self.limit {
            self.sessions.pop_front();
        }
        self.sessions.push_back((peer.clone(), session, responder));
        let minute_ago = now.0.saturating_sub(60_000);
        while self.opens.front().is_some_and(|(_, at)| *at < minute_ago)
            || self.opens.len() >= OPENS_KEPT
        {
            self.opens.pop_front();
        }
        let recent = self.opens.iter().filter(|(p, _)| *p == peer).count();
        self.opens.push_back((peer, now.0));
        recent >= MAX_OPENS_PER_MINUTE
    }

    fn get_mut(&mut self, peer: &P, session: u64) -> Option<&mut Responder> {
        self.sessions
            .iter_mut()
            .find(|(p, s, _)| p == peer && *s == session)
            .map(|(_, _, r)| r)
    }

    /// Forgets every session of `peer` (it disconnected).
    pub fn forget_peer(&mut self, peer: &P) {
        self.sessions.retain(|(p, _, _)| p != peer);
    }

    /// How many sessions are open.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session is open.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

fn refused(reason: impl ToString) -> SyncResponse {
    SyncResponse::Refused {
        reason: reason.to_string(),
    }
}

impl<S: Store> Engine<S> {
    /// Answers one sync request from `peer`, with what the request did wrong.
    pub fn serve_sync<P: PartialEq + Clone>(
        &mut self,
        sessions: &mut ResponderSessions<P>,
        peer: P,
        request: SyncRequest,
        now: Timestamp,
    ) -> Served {
        let mut offence = None;
        let response = match request {
            SyncRequest::Open {
                session,
                trusted,
                items,
            } => {
                if let Some(common) = restrict(&trusted, |id| self.trust().contains(id)) {
                    SyncResponse::Restrict { trusted: common }
                } else {
                    let authors: BTreeSet<SteunpuntId> = trusted.into_iter().collect();
                    let (responder, answer) =
                        Responder::open(self.sync_items(&authors, now), items);
                    if sessions.insert(peer, session, responder, now) {
                        offence = Some((Offence::TooManySessions, 1));
                    }
                    answer
                }
            }
            SyncRequest::More { session } => match sessions.get_mut(&peer, session) {
                Some(responder) => responder
                    .more()
                    .unwrap_or_else(|| refused("the sync session is finished")),
                None => refused("unknown sync session; open a new one"),
            },
            SyncRequest::Fetch { hashes } => {
                // `SyncRequest::decode` checked that these are whole short hashes.
                let mut wanted: VecDeque<ShortHash> =
                    ShortHash::split(&hashes).unwrap_or_default().into();
                match self.take_page(&mut wanted) {
                    Ok(found) => SyncResponse::Records {
                        envelopes: found.into_iter().map(ByteBuf::from).collect(),
                    },
                    Err(e) => refused(e),
                }
            }
            SyncRequest::Offer { envelopes } => {
                let page = self.ingest_page(envelopes.into_iter().map(ByteBuf::into_vec), now);
                if page.offences > 0 {
                    offence = Some((Offence::InvalidRecord, page.offences));
                }
                SyncResponse::Received {
                    accepted: u32::try_from(page.accepted).unwrap_or(u32::MAX),
                }
            }
        };
        Served { response, offence }
    }
}

/// A sync request answered, and what it did wrong (how often).
#[derive(Debug)]
pub struct Served {
    /// The answer.
    pub response: SyncResponse,
    /// An offence of the requesting peer, if any.
    pub offence: Option<(Offence, u32)>,
}

/// Figures of one sync run, for metrics, logs and the budgets of ARCHITECTURE.md, Budgets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStats {
    /// Requests sent (each is one round trip).
    pub round_trips: u32,
    /// Answers with coded symbols or pages of a listing.
    pub reconcile_rounds: u32,
    /// Encoded bytes sent.
    pub bytes_sent: u64,
    /// Encoded bytes received.
    pub bytes_received: u64,
    /// Envelope bytes moved in either direction (the records themselves).
    pub record_bytes: u64,
    /// Records the other side had that we lacked.
    pub needed: u64,
    /// Records we had that the other side lacked.
    pub offered: u64,
    /// Fetched records that changed our state.
    pub accepted: u64,
    /// Offered records the other side accepted.
    pub accepted_by_peer: u64,
}

enum Phase {
    Reconciling(Box<Initiator>),
    Fetching(Vec<ShortHash>),
    Offering,
    Finished,
}

/// One sync run from the opener's side.
pub struct SyncRun {
    session: u64,
    phase: Phase,
    need: VecDeque<ShortHash>,
    have: VecDeque<ShortHash>,
    restricted: bool,
    stats: SyncStats,
}

impl std::fmt::Debug for SyncRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncRun")
            .field("session", &self.session)
            .field("stats", &self.stats)
            .finish()
    }
}

impl SyncRun {
    /// Opens a session over everything we hold of the authors we trust.
    pub fn start<S: Store>(
        engine: &Engine<S>,
        session: u64,
        now: Timestamp,
    ) -> Result<(Self, SyncRequest), SyncError> {
        Self::open(engine, session, engine.trusted_authors(), false, now)
    }

    fn open<S: Store>(
        engine: &Engine<S>,
        session: u64,
        authors: BTreeSet<SteunpuntId>,
        restricted: bool,
        now: Timestamp,
    ) -> Result<(Self, SyncRequest), SyncError> {
        let (initiator, request) =
            Initiator::open(session, &authors, engine.sync_items(&authors, now));
        let mut run = Self {
            session,
            phase: Phase::Reconciling(Box::new(initiator)),
            need: VecDeque::new(),
            have: VecDeque::new(),
            restricted,
            stats: SyncStats::default(),
        };
        run.count_sent(&request);
        Ok((run, request))
    }

    /// The session id.
    pub fn session(&self) -> u64 {
        self.session
    }

    /// Figures so far.
    pub fn stats(&self) -> &SyncStats {
        &self.stats
    }

    /// Whether the run is over.
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Finished)
    }

    fn count_sent(&mut self, request: &SyncRequest) {
        self.stats.round_trips += 1;
        self.stats.bytes_sent += request.encode().len() as u64;
        if let SyncRequest::Offer { envelopes } = request {
            self.stats.record_bytes += envelopes.iter().map(|e| e.len() as u64).sum::<u64>();
        }
    }

    /// Handles the answer to the last request; returns the next request, or `None` when
    /// the run is complete.
    pub fn on_response<S: Store>(
        &mut self,
        engine: &mut Engine<S>,
        response: SyncResponse,
        now: Timestamp,
    ) -> Result<Option<SyncRequest>, SyncError> {
        self.stats.bytes_received += response.encode().len() as u64;
        let next = self.advance(engine, response, now)?;
        if let Some(request) = &next {
            self.count_sent(request);
        }
        Ok(next)
    }

    fn advance<S: Store>(
        &mut self,
        engine: &mut Engine<S>,
        response: SyncResponse,
        now: Timestamp,
    ) -> Result<Option<SyncRequest>, SyncError> {
        match (&mut self.phase, response) {
            (Phase::Reconciling(initiator), SyncResponse::Symbols { symbols }) => {
                self.stats.reconcile_rounds += 1;
                let step = initiator.on_symbols(&symbols)?;
                self.after_reconcile(engine, step)
            }
            (Phase::Reconciling(initiator), SyncResponse::List { hashes, last }) => {
                self.stats.reconcile_rounds += 1;
                let step = initiator.on_list(&hashes, last)?;
                self.after_reconcile(engine, step)
            }
            (Phase::Reconciling(_), SyncResponse::Restrict { trusted }) if !self.restricted => {
                let ours = engine.trusted_authors();
                let common: BTreeSet<SteunpuntId> =
                    trusted.into_iter().filter(|id| ours.contains(id)).collect();
                let stats = std::mem::take(&mut self.stats);
                let (run, request) = Self::open(engine, self.session, common, true, now)?;
                *self = run;
                self.stats.round_trips += stats.round_trips;
                self.stats.bytes_sent += stats.bytes_sent;
                self.stats.bytes_received += stats.bytes_received;
                // `open` counted the new request already.
                Ok(Some(request))
            }
            (Phase::Fetching(asked), SyncResponse::Records { envelopes }) => {
                let mut missing: BTreeSet<ShortHash> = asked.iter().copied().collect();
                let progress = !envelopes.is_empty();
                let mut wanted = Vec::with_capacity(envelopes.len());
                for envelope in envelopes {
                    self.stats.record_bytes += envelope.len() as u64;
                    // Only what we asked for; anything else is ignored unread.
                    if missing.remove(&RecordHash::of(&envelope).short()) {
                        wanted.push(envelope.into_vec());
                    }
                }
                self.stats.accepted += engine.ingest_page(wanted, now).accepted as u64;
                // A page cut short by its size limit: ask again for the rest. Without
                // progress the rest is gone from the peer, and the next sync will tell.
                if progress {
                    self.need.extend(missing);
                }
                self.next_transfer(engine)
            }
            (Phase::Offering, SyncResponse::Received { accepted }) => {
                self.stats.accepted_by_peer += u64::from(accepted);
                self.next_transfer(engine)
            }
            (_, SyncResponse::Refused { reason }) => {
                self.phase = Phase::Finished;
                Err(SyncError::Malformed(format!("peer refused: {reason}")))
            }
            (_, other) => {
                self.phase = Phase::Finished;
                Err(SyncError::Malformed(format!(
                    "unexpected answer {}",
                    response_name(&other)
                )))
            }
        }
    }

    fn after_reconcile<S: Store>(
        &mut self,
        engine: &Engine<S>,
        step: Step,
    ) -> Result<Option<SyncRequest>, SyncError> {
        match step {
            Step::Send(request) => Ok(Some(request)),
            Step::Done => {
                if let Phase::Reconciling(initiator) = &self.phase {
                    self.need = initiator.need().iter().copied().collect();
                    self.have = initiator.have().iter().copied().collect();
                }
                self.stats.needed = self.need.len() as u64;
                self.stats.offered = self.have.len() as u64;
                self.next_transfer(engine)
            }
        }
    }

    fn next_transfer<S: Store>(
        &mut self,
        engine: &Engine<S>,
    ) -> Result<Option<SyncRequest>, SyncError> {
        if !self.need.is_empty() {
            let take = self.need.len().min(MAX_FETCH);
            let hashes: Vec<ShortHash> = self.need.drain(..take).collect();
            let request = SyncRequest::fetch(&hashes);
            self.phase = Phase::Fetching(hashes);
            return Ok(Some(request));
        }
        while !self.have.is_empty() {
            let envelopes = engine
                .take_page(&mut self.have)
                .map_err(|e| SyncError::Malformed(format!("local storage failed: {e}")))?;
            if envelopes.is_empty() {
                continue;
            }
            self.phase = Phase::Offering;
            return Ok(Some(SyncRequest::Offer {
                envelopes: envelopes.into_iter().map(ByteBuf::from).collect(),
            }));
        }
        self.phase = Phase::Finished;
        Ok(None)
    }
}

fn response_name(response: &SyncResponse) -> &'static str {
    match response {
        SyncResponse::Symbols { .. } => "Symbols",
        SyncResponse::List { .. } => "List",
        SyncResponse::Restrict { .. } => "Restrict",
        SyncResponse::Records { .. } => "Records",
        SyncResponse::Received { .. } => "Received",
        SyncResponse::Refused { .. } => "Refused",
    }
}
