//! Anti-entropy sync (ARCHITECTURE.md, Replication): set reconciliation over the short
//! hashes of live records with rateless IBLT coded symbols ([`crate::riblt`]), or by
//! listing them when that is cheaper, then fetching what we lack and offering what the
//! other side lacks, in bounded pages.
//!
//! A sync is scoped to the authors **both** sides trust, so neither side is ever offered
//! records it would refuse. The opener sends its trusted authors and how many items it
//! holds. If the responder trusts all of them it answers at once; otherwise it answers
//! [`SyncResponse::Restrict`] with the common authors and the opener starts again on that
//! set. The responder then chooses from the two counts: coded symbols (about 1.5 per
//! difference the counts show, at least 16), or its whole item list in pages when that
//! costs fewer bytes (a new node, or one that lacks most records). The opener asks for
//! more symbols until it can decode the difference; each batch doubles what was sent, and
//! past the list's cost the responder lists instead. Typical exchange when one record
//! differs: `Open` → `Fetch`: two round trips.
//!
//! This module holds no IO: the node carries the messages over libp2p, the simulation over
//! its virtual network.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::hash::ShortHash;
use crate::keys::SteunpuntId;
use crate::riblt::{Decoder, Encoder, Symbol};

/// Most short hashes in one fetch request.
pub const MAX_FETCH: usize = 1024;
/// Most coded symbols in one answer (at most 34 bytes each: under a page).
pub const MAX_SYMBOLS: usize = 24 * 1024;
/// Most short hashes in one page of a listing (1 MiB).
pub const MAX_LIST: usize = 64 * 1024;
/// Most envelope bytes in one page of records (a fetch answer or an offer).
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// Largest encoded sync message: a full page plus framing.
pub const MAX_SYNC_MESSAGE_BYTES: usize =
    MAX_PAGE_BYTES + crate::envelope::MAX_ENVELOPE_BYTES + 4096;
/// Most trusted authors named in one `Open`.
pub const MAX_TRUSTED_AUTHORS: usize = 4096;
/// Most answers with symbols in one session: batches double, so a correct responder lists
/// long before this.
pub const MAX_SYMBOL_ROUNDS: u32 = 40;
/// Most pages of one listing: 16.7 million records, beyond any region.
pub const MAX_LIST_PAGES: u32 = 256;
/// Coded symbols in the smallest batch: enough for a dozen differences the counts do not
/// show (a record changed on both sides).
pub const MIN_SYMBOLS: usize = 16;
/// Bytes a coded symbol takes on the wire, about (sum, checksum, a short count).
const SYMBOL_BYTES: u64 = 26;

/// A request from the side that runs the sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncRequest {
    /// Start a session: the authors we trust and how many live records of theirs we hold.
    Open {
        /// Chosen by the opener; names the session in later messages.
        session: u64,
        /// Authors the opener trusts (sorted, no repeats).
        trusted: Vec<SteunpuntId>,
        /// Live records of those authors the opener holds.
        items: u64,
    },
    /// The next coded symbols or page of the listing in an open session.
    More {
        /// The session.
        session: u64,
    },
    /// Ask for records by short hash.
    Fetch {
        /// Concatenated short hashes, at most [`MAX_FETCH`].
        hashes: ByteBuf,
    },
    /// Records the responder lacks, at most [`MAX_PAGE_BYTES`] of envelopes.
    Offer {
        /// Envelope bytes.
        envelopes: Vec<ByteBuf>,
    },
}

/// The answer to a [`SyncRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncResponse {
    /// The next coded symbols of the responder's items.
    Symbols {
        /// Encoded [`Symbol`]s, at most [`MAX_SYMBOLS`].
        symbols: ByteBuf,
    },
    /// The next page of the responder's short hashes, ascending.
    List {
        /// Concatenated short hashes, at most [`MAX_LIST`].
        hashes: ByteBuf,
        /// Whether this is the last page.
        last: bool,
    },
    /// The responder does not trust all the opener's authors: open again with these.
    Restrict {
        /// Authors both sides trust.
        trusted: Vec<SteunpuntId>,
    },
    /// Records asked for with `Fetch` (those still held, up to one page).
    Records {
        /// Envelope bytes.
        envelopes: Vec<ByteBuf>,
    },
    /// How many offered records the responder accepted.
    Received {
        /// Count of records that changed the responder's state.
        accepted: u32,
    },
    /// The request could not be served (unknown session, busy, malformed).
    Refused {
        /// Why, for the log.
        reason: String,
    },
}

/// Why a sync message or session failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// A message over the size limit.
    #[error("sync message of {0} bytes exceeds the limit")]
    TooLarge(usize),
    /// A message that does not decode.
    #[error("malformed sync message: {0}")]
    Malformed(String),
    /// A message that breaks a limit of the protocol.
    #[error("sync message breaks a limit: {0}")]
    OverLimit(&'static str),
    /// The coded symbols or the listing do not add up.
    #[error("reconciliation failed: {0}")]
    Reconcile(&'static str),
    /// The session ran more rounds than any correct peer needs.
    #[error("reconciliation did not finish within the protocol's rounds")]
    TooManyRounds,
}

fn encode_cbor<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = ciborium::into_writer(value, &mut out) {
        unreachable!("encoding a sync message into memory failed: {e}");
    }
    out
}

fn decode_cbor<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, SyncError> {
    if bytes.len() > MAX_SYNC_MESSAGE_BYTES {
        return Err(SyncError::TooLarge(bytes.len()));
    }
    let mut reader = bytes;
    let value =
        ciborium::from_reader(&mut reader).map_err(|e| SyncError::Malformed(e.to_string()))?;
    if reader.is_empty() {
        Ok(value)
    } else {
        Err(SyncError::Malformed(format!(
            "{} trailing bytes",
            reader.len()
        )))
    }
}

/// Whether `bytes` are at most `most` whole short hashes.
fn short_hashes_fit(bytes: &[u8], most: usize) -> bool {
    bytes.len().is_multiple_of(ShortHash::LEN) && bytes.len() / ShortHash::LEN <= most
}

impl SyncRequest {
    /// Encodes for the wire.
    pub fn encode(&self) -> Vec<u8> {
        encode_cbor(self)
    }

    /// Decodes and checks the protocol's limits.
    pub fn decode(bytes: &[u8]) -> Result<Self, SyncError> {
        let request: Self = decode_cbor(bytes)?;
        match &request {
            SyncRequest::Open { trusted, .. } if trusted.len() > MAX_TRUSTED_AUTHORS => {
                Err(SyncError::OverLimit("too many trusted authors"))
            }
            SyncRequest::Fetch { hashes } if !short_hashes_fit(hashes, MAX_FETCH) => Err(
                SyncError::OverLimit("a fetch holds at most 1024 whole short hashes"),
            ),
            SyncRequest::Offer { envelopes }
                if page_bytes(envelopes) > MAX_PAGE_BYTES + crate::envelope::MAX_ENVELOPE_BYTES =>
            {
                Err(SyncError::OverLimit("offer page too large"))
            }
            _ => Ok(request),
        }
    }

    /// A fetch of these short hashes (at most [`MAX_FETCH`]).
    pub fn fetch(hashes: &[ShortHash]) -> Self {
        SyncRequest::Fetch {
            hashes: ByteBuf::from(ShortHash::join(hashes)),
        }
    }
}

impl SyncResponse {
    /// Encodes for the wire.
    pub fn encode(&self) -> Vec<u8> {
        encode_cbor(self)
    }

    /// Decodes and checks the protocol's limits.
    pub fn decode(bytes: &[u8]) -> Result<Self, SyncError> {
        let response: Self = decode_cbor(bytes)?;
        match &response {
            SyncResponse::Restrict { trusted } if trusted.len() > MAX_TRUSTED_AUTHORS => {
                Err(SyncError::OverLimit("too many trusted authors"))
            }
            SyncResponse::List { hashes, .. } if !short_hashes_fit(hashes, MAX_LIST) => Err(
                SyncError::OverLimit("a list page holds at most 65,536 short hashes"),
            ),
            _ => Ok(response),
        }
    }
}

fn page_bytes(envelopes: &[ByteBuf]) -> usize {
    envelopes.iter().map(|e| e.len()).sum()
}

/// Whether listing `items` short hashes costs no more than `symbols` coded symbols.
fn listing_is_cheaper(items: u64, symbols: u64) -> bool {
    items * ShortHash::LEN as u64 <= symbols * SYMBOL_BYTES
}

/// The opener's side of a session.
#[derive(Debug)]
pub struct Initiator {
    session: u64,
    /// Our items, ascending.
    ours: Vec<ShortHash>,
    decoder: Option<Decoder>,
    /// Listing: where the merge stands in `ours`, and the last item listed.
    listed: usize,
    last_listed: Option<ShortHash>,
    have: Vec<ShortHash>,
    need: Vec<ShortHash>,
    symbol_rounds: u32,
    list_pages: u32,
}

/// What to do after a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this request next.
    Send(SyncRequest),
    /// Reconciliation is complete: fetch [`Initiator::need`], offer [`Initiator::have`].
    Done,
}

impl Initiator {
    /// Opens a session over `items`, which must be the live records of exactly the
    /// `trusted` authors.
    pub fn open(
        session: u64,
        trusted: &BTreeSet<SteunpuntId>,
        items: impl IntoIterator<Item = ShortHash>,
    ) -> (Self, SyncRequest) {
        let mut ours: Vec<ShortHash> = items.into_iter().collect();
        ours.sort_unstable();
        ours.dedup();
        let request = SyncRequest::Open {
            session,
            trusted: trusted.iter().copied().collect(),
            items: ours.len() as u64,
        };
        let initiator = Self {
            session,
            ours,
            decoder: None,
            listed: 0,
            last_listed: None,
            have: Vec::new(),
            need: Vec::new(),
            symbol_rounds: 0,
            list_pages: 0,
        };
        (initiator, request)
    }

    fn more(&self) -> Step {
        Step::Send(SyncRequest::More {
            session: self.session,
        })
    }

    /// Handles coded symbols: decodes if it can, else asks for more.
    pub fn on_symbols(&mut self, symbols: &[u8]) -> Result<Step, SyncError> {
        self.symbol_rounds += 1;
        if self.symbol_rounds > MAX_SYMBOL_ROUNDS || self.list_pages > 0 {
            return Err(SyncError::TooManyRounds);
        }
        let symbols = Symbol::decode_all(symbols, MAX_SYMBOLS)
            .ok_or(SyncError::Reconcile("coded symbols do not decode"))?;
        if symbols.is_empty() {
            return Err(SyncError::Reconcile("an answer without coded symbols"));
        }
        let ours = &self.ours;
        let decoder = self
            .decoder
            .get_or_insert_with(|| Decoder::new(ours.iter().copied()));
        decoder
            .add(&symbols)
            .map_err(|_| SyncError::Reconcile("coded symbols peel into too many items"))?;
        if !decoder.is_decoded() {
            return Ok(self.more());
        }
        self.need = decoder.remote_only();
        // What the symbols say we hold must be ours; anything else is noise.
        self.have = decoder
            .local_only()
            .into_iter()
            .filter(|h| self.ours.binary_search(h).is_ok())
            .collect();
        self.decoder = None;
        Ok(Step::Done)
    }

    /// Handles a page of the responder's listing: merges it with ours.
    pub fn on_list(&mut self, hashes: &[u8], last: bool) -> Result<Step, SyncError> {
        self.list_pages += 1;
        if self.list_pages > MAX_LIST_PAGES {
            return Err(SyncError::TooManyRounds);
        }
        self.decoder = None;
        let theirs = ShortHash::split(hashes)
            .ok_or(SyncError::Reconcile("a list page of partial hashes"))?;
        for item in theirs {
            if self.last_listed.is_some_and(|last| last >= item) {
                return Err(SyncError::Reconcile("a listing out of order"));
            }
            self.last_listed = Some(item);
            while let Some(mine) = self.ours.get(self.listed).filter(|mine| **mine < item) {
                self.have.push(*mine);
                self.listed += 1;
            }
            if self.ours.get(self.listed) == Some(&item) {
                self.listed += 1;
            } else {
                self.need.push(item);
            }
        }
        if !last {
            return Ok(self.more());
        }
        self.have.extend_from_slice(&self.ours[self.listed..]);
        self.listed = self.ours.len();
        Ok(Step::Done)
    }

    /// Short hashes we hold that the responder lacks.
    pub fn have(&self) -> &[ShortHash] {
        &self.have
    }

    /// Short hashes the responder holds that we lack.
    pub fn need(&self) -> &[ShortHash] {
        &self.need
    }
}

/// The responder's side of a session: a snapshot of its items for the common authors.
#[derive(Debug)]
pub enum Responder {
    /// Sending coded symbols.
    Symbols(Encoder),
    /// Sending the sorted items in pages, from `next`.
    List {
        /// Our items, ascending.
        items: Vec<ShortHash>,
        /// The first item of the next page.
        next: usize,
    },
    /// Everything was sent.
    Finished,
}

impl Responder {
    /// Starts a session over `items` (the live records of the authors both sides trust)
    /// with an opener holding `theirs`, and gives the first answer.
    pub fn open(items: Vec<ShortHash>, theirs: u64) -> (Self, SyncResponse) {
        let ours = items.len() as u64;
        let wanted =
            (ours.abs_diff(theirs).saturating_mul(3) / 2).saturating_add(MIN_SYMBOLS as u64);
        let first = wanted.min(MAX_SYMBOLS as u64);
        let mut responder = if listing_is_cheaper(ours, wanted) {
            Responder::list(items)
        } else {
            Responder::Symbols(Encoder::new(items))
        };
        let answer = responder.answer(first as usize);
        (responder, answer)
    }

    fn list(mut items: Vec<ShortHash>) -> Self {
        items.sort_unstable();
        items.dedup();
        Responder::List { items, next: 0 }
    }

    /// The next answer of the session; `None` once everything was sent.
    pub fn more(&mut self) -> Option<SyncResponse> {
        let batch = match self {
            Responder::Symbols(encoder) => encoder.produced() as usize,
            Responder::List { .. } => 0,
            Responder::Finished => return None,
        };
        Some(self.answer(batch))
    }

    fn answer(&mut self, batch: usize) -> SyncResponse {
        if let Responder::Symbols(encoder) = self {
            let batch = batch.clamp(MIN_SYMBOLS, MAX_SYMBOLS);
            let total = encoder.produced() + batch as u64;
            if !listing_is_cheaper(encoder.len() as u64, total) {
                let mut symbols = Vec::with_capacity(batch * SYMBOL_BYTES as usize);
                for symbol in encoder.produce(batch) {
                    symbol.encode_into(&mut symbols);
                }
                return SyncResponse::Symbols {
                    symbols: ByteBuf::from(symbols),
                };
            }
            *self = Responder::list(encoder.items().collect());
        }
        match std::mem::replace(self, Responder::Finished) {
            Responder::List { items, next } => {
                let end = (next + MAX_LIST).min(items.len());
                let hashes = ByteBuf::from(ShortHash::join(&items[next..end]));
                let last = end == items.len();
                if !last {
                    *self = Responder::List { items, next: end };
                }
                SyncResponse::List { hashes, last }
            }
            _ => SyncResponse::Refused {
                reason: "the session has nothing more to send".into(),
            },
        }
    }

    /// Whether everything was sent.
    pub fn is_finished(&self) -> bool {
        matches!(self, Responder::Finished)
    }
}

/// The authors a responder that trusts `ours` will sync with an opener that trusts
/// `theirs`: `None` if it trusts all of them (answer at once), else the common set.
pub fn restrict(
    theirs: &[SteunpuntId],
    ours: impl Fn(&SteunpuntId) -> bool,
) -> Option<Vec<SteunpuntId>> {
    if theirs.iter().all(&ours) {
        None
    } else {
        Some(theirs.iter().copied().filter(|id| ours(id)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::{short_item as item, short_items_only_in as difference};

    /// Runs a whole reconciliation in memory; returns (have, need, round trips, bytes).
    fn reconcile(ours: &[u32], theirs: &[u32]) -> (Vec<ShortHash>, Vec<ShortHash>, usize, usize) {
        let (mut initiator, request) =
            Initiator::open(7, &BTreeSet::new(), ours.iter().map(|n| item(*n)));
        let mut responder = None;
        let mut bytes = 0;
        let mut trips = 0;
        let mut request = request;
        loop {
            let wire = request.encode();
            bytes += wire.len();
            trips += 1;
            let response = match SyncRequest::decode(&wire).unwrap() {
                SyncRequest::Open { items, .. } => {
                    let (r, answer) =
                        Responder::open(theirs.iter().map(|n| item(*n)).collect(), items);
                    responder = Some(r);
                    answer
                }
                SyncRequest::More { .. } => responder.as_mut().unwrap().more().unwrap(),
                other => panic!("unexpected {other:?}"),
            };
            let wire = response.encode();
            bytes += wire.len();
            let step = match SyncResponse::decode(&wire).unwrap() {
                SyncResponse::Symbols { symbols } => initiator.on_symbols(&symbols).unwrap(),
                SyncResponse::List { hashes, last } => initiator.on_list(&hashes, last).unwrap(),
                other => panic!("unexpected {other:?}"),
            };
            match step {
                Step::Send(next) => request = next,
                Step::Done => break,
            }
        }
        (
            initiator.have().to_vec(),
            initiator.need().to_vec(),
            trips,
            bytes,
        )
    }

    #[test]
    fn finds_both_directions_of_difference() {
        let ours: Vec<u32> = (0..500).filter(|n| n % 97 != 0).collect();
        let theirs: Vec<u32> = (0..500).filter(|n| n % 89 != 0).collect();
        let (have, need, _, _) = reconcile(&ours, &theirs);
        assert_eq!(have, difference(&ours, &theirs));
        assert_eq!(need, difference(&theirs, &ours));
    }

    #[test]
    fn one_difference_in_a_thousand_is_cheap() {
        let theirs: Vec<u32> = (0..1000).collect();
        let ours: Vec<u32> = (0..999).collect();
        let (have, need, trips, bytes) = reconcile(&ours, &theirs);
        assert!(have.is_empty());
        assert_eq!(need, vec![item(999)]);
        assert_eq!(trips, 1);
        assert!(bytes <= 1024, "{bytes} bytes");
    }

    #[test]
    fn an_empty_side_gets_a_listing() {
        let theirs: Vec<u32> = (0..150_000).collect();
        let (have, need, trips, _) = reconcile(&[], &theirs);
        assert!(have.is_empty());
        assert_eq!(need.len(), 150_000);
        assert_eq!(trips, 3, "three pages of at most 65,536");
        let (have, need, trips, _) = reconcile(&theirs[..10], &[]);
        assert_eq!((have.len(), need.len(), trips), (10, 0, 1));
    }

    #[test]
    fn changes_the_counts_hide_are_found_with_more_symbols() {
        // Same size, 200 records differ on each side: the first batch is too small.
        let ours: Vec<u32> = (0..10_000).collect();
        let theirs: Vec<u32> = (200..10_200).collect();
        let (have, need, trips, _) = reconcile(&ours, &theirs);
        assert_eq!(have, difference(&ours, &theirs));
        assert_eq!(need, difference(&theirs, &ours));
        assert!(trips > 1);
    }

    #[test]
    fn limits_are_enforced_on_decode() {
        let hashes = vec![ShortHash::default(); MAX_FETCH + 1];
        let wire = SyncRequest::fetch(&hashes).encode();
        assert!(matches!(
            SyncRequest::decode(&wire),
            Err(SyncError::OverLimit(_))
        ));
        let partial = SyncRequest::Fetch {
            hashes: ByteBuf::from(vec![0u8; 17]),
        };
        assert!(matches!(
            SyncRequest::decode(&partial.encode()),
            Err(SyncError::OverLimit(_))
        ));
        assert!(matches!(
            SyncRequest::decode(&[0xff, 0x00]),
            Err(SyncError::Malformed(_))
        ));
        assert!(matches!(
            SyncRequest::decode(&vec![0u8; MAX_SYNC_MESSAGE_BYTES + 1]),
            Err(SyncError::TooLarge(_))
        ));
    }

    #[test]
    fn a_listing_out_of_order_is_refused() {
        let (mut initiator, _) = Initiator::open(1, &BTreeSet::new(), []);
        let page = ShortHash::join(&[item(2), item(1)]);
        let mut sorted = [item(1), item(2)];
        sorted.sort();
        assert!(initiator.on_list(&ShortHash::join(&sorted), false).is_ok());
        assert!(initiator.on_list(&page, true).is_err());
    }

    #[test]
    fn restrict_to_common_authors() {
        let a = crate::testing::key(1).id();
        let b = crate::testing::key(2).id();
        assert_eq!(restrict(&[a], |_| true), None);
        assert_eq!(restrict(&[a, b], |id| *id == a), Some(vec![a]));
    }
}
