//! How trusted peers behave: every offence costs points, points fade, and a peer over the
//! limit is disconnected and refused for a while (longer each time). Sans-IO: the
//! replicator books offences and turns a ban into outputs.
//!
//! Only what an honest node never does costs points: invalid records (an honest node
//! verifies before it passes a record on), sync messages that cannot be read, and more
//! open sync sessions than one run needs, or opened faster than syncs need them. Old
//! revisions and records of authors we do not trust cost nothing: an honest neighbour
//! sends them too, when gossip races or when it trusts more steunpunten than we do. They
//! are never stored or passed on either way.

use std::collections::BTreeMap;

use steunpunt_protocol::Timestamp;

/// Something a trusted peer did that an honest node never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offence {
    /// A record that fails verification: bad signature, malformed or too large.
    InvalidRecord,
    /// A sync message that cannot be read, or is over the size limit.
    MalformedMessage,
    /// A sync session opened beyond what one run needs.
    TooManySessions,
}

impl Offence {
    /// Points per offence; [`BAN_AT`] points disconnect. A handful of invalid records
    /// (a disk error on the other side) fade without a ban; a flood does not.
    fn points(self) -> u32 {
        match self {
            Offence::InvalidRecord => 10,
            Offence::MalformedMessage => 25,
            Offence::TooManySessions => 5,
        }
    }

    /// The code the API reports (`PeerView.refused.reason`).
    pub fn code(self) -> &'static str {
        match self {
            Offence::InvalidRecord => "invalid_records",
            Offence::MalformedMessage => "unreadable_sync",
            Offence::TooManySessions => "too_many_sessions",
        }
    }

    /// What the admin reads in the log.
    pub fn describe(self) -> &'static str {
        match self {
            Offence::InvalidRecord => "records that fail verification",
            Offence::MalformedMessage => "sync messages that cannot be read",
            Offence::TooManySessions => "more sync sessions than a sync needs",
        }
    }
}

/// Points at which a peer is disconnected.
pub const BAN_AT: u32 = 100;
/// Points halve every minute.
const HALF_LIFE_MS: u64 = 60_000;
/// The first ban lasts ten minutes, each further one twice as long, at most six hours.
const FIRST_BAN_MS: u64 = 600_000;
const LONGEST_BAN_MS: u64 = 6 * 3_600_000;

#[derive(Debug, Default)]
struct Record {
    points: u32,
    counted_at: Timestamp,
    bans: u32,
    /// Until when, and for what, while banned.
    banned: Option<(Timestamp, Offence)>,
}

/// The conduct of every peer that offended recently.
#[derive(Debug)]
pub struct Conduct<P> {
    peers: BTreeMap<P, Record>,
}

impl<P> Default for Conduct<P> {
    fn default() -> Self {
        Self {
            peers: BTreeMap::new(),
        }
    }
}

/// A ban the replicator carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ban {
    /// How long the peer is refused.
    pub for_ms: u64,
    /// Which time this is.
    pub count: u32,
}

impl<P: Ord + Clone> Conduct<P> {
    /// Books `count` offences of one kind; a [`Ban`] when the peer crosses the limit now
    /// (a banned peer is not banned again).
    pub fn offend(
        &mut self,
        peer: &P,
        offence: Offence,
        count: u32,
        now: Timestamp,
    ) -> Option<Ban> {
        let record = self.peers.entry(peer.clone()).or_default();
        if record.banned.is_some() {
            return None;
        }
        // Whole half-lives only, and the clock moves on by them: offences less than a
        // half-life apart must not keep the points from fading.
        let halvings = now.0.saturating_sub(record.counted_at.0) / HALF_LIFE_MS;
        record.points = record.points.checked_shr(halvings as u32).unwrap_or(0);
        if record.points == 0 {
            record.counted_at = now;
        } else {
            record.counted_at = record
                .counted_at
                .plus_ms(halvings.saturating_mul(HALF_LIFE_MS));
        }
        record.points = record
            .points
            .saturating_add(offence.points().saturating_mul(count));
        if record.points < BAN_AT {
            return None;
        }
        record.points = 0;
        record.bans = record.bans.saturating_add(1);
        let for_ms = FIRST_BAN_MS
            .saturating_mul(1u64 << (record.bans - 1).min(10))
            .min(LONGEST_BAN_MS);
        record.banned = Some((now.plus_ms(for_ms), offence));
        Some(Ban {
            for_ms,
            count: record.bans,
        })
    }

    /// Whether `peer` is refused (until [`Conduct::lift`]).
    pub fn banned(&self, peer: &P) -> bool {
        self.peers.get(peer).is_some_and(|r| r.banned.is_some())
    }

    /// Every peer refused now: until when, and for what it did last.
    pub fn bans(&self) -> impl Iterator<Item = (&P, Timestamp, Offence)> {
        self.peers
            .iter()
            .filter_map(|(peer, r)| r.banned.map(|(until, why)| (peer, until, why)))
    }

    /// Ends the ban of `peer` (its time is up). The count of bans stays, so the next one
    /// lasts longer.
    pub fn lift(&mut self, peer: &P) {
        if let Some(record) = self.peers.get_mut(peer) {
            record.banned = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = Timestamp(1_000_000_000);

    #[test]
    fn points_fade_also_while_offences_come_less_than_a_half_life_apart() {
        let mut conduct = Conduct::default();
        // 10 points every 40 s fade to a few dozen, never to the limit.
        for n in 0..1000 {
            let now = T.plus_ms(n * 40_000);
            assert_eq!(
                conduct.offend(&1, Offence::TooManySessions, 1, now),
                None,
                "{n}"
            );
            assert_eq!(
                conduct.offend(&1, Offence::TooManySessions, 1, now),
                None,
                "{n}"
            );
        }
        assert!(!conduct.banned(&1));
    }

    #[test]
    fn a_flood_is_banned_a_trickle_fades() {
        let mut conduct = Conduct::default();
        for n in 0..9 {
            let now = T.plus_ms(n * HALF_LIFE_MS);
            assert_eq!(conduct.offend(&1, Offence::InvalidRecord, 5, now), None);
        }
        assert!(!conduct.banned(&1));
        let ban = conduct.offend(&2, Offence::InvalidRecord, 10, T).unwrap();
        assert_eq!(ban.for_ms, FIRST_BAN_MS);
        assert!(conduct.banned(&2));
        let bans: Vec<_> = conduct.bans().collect();
        assert_eq!(
            bans,
            [(&2, T.plus_ms(FIRST_BAN_MS), Offence::InvalidRecord)]
        );
        assert_eq!(conduct.offend(&2, Offence::MalformedMessage, 9, T), None);
        let later = T.plus_ms(FIRST_BAN_MS);
        conduct.lift(&2);
        assert!(!conduct.banned(&2));
        let again = conduct
            .offend(&2, Offence::MalformedMessage, 4, later)
            .unwrap();
        assert_eq!((again.for_ms, again.count), (2 * FIRST_BAN_MS, 2));
    }
}
