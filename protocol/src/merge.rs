//! Merge rules (ARCHITECTURE.md, Records): the higher revision wins; equal revisions with different bytes
//! are an equivocation, resolved towards the lower hash and counted against the author.
//!
//! Versions form a join-semilattice under [`join`], so the result is the same whatever order
//! records arrive in, however often: that is what lets every node converge.

use std::cmp::Ordering;

use crate::hash::RecordHash;

/// The part of a record that decides merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// Revision number.
    pub revision: u64,
    /// Hash of the envelope.
    pub hash: RecordHash,
}

impl Ord for Version {
    /// Greater wins: higher revision, then lower hash.
    fn cmp(&self, other: &Self) -> Ordering {
        self.revision
            .cmp(&other.revision)
            .then_with(|| other.hash.cmp(&self.hash))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The winner of two versions.
pub fn join(a: Version, b: Version) -> Version {
    a.max(b)
}

/// What to do with an incoming version given the one we hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// We had nothing for this record: store it.
    New,
    /// A higher revision: replace ours.
    Replaces,
    /// The exact bytes we already hold.
    Duplicate,
    /// A lower revision: ignore it.
    Stale,
    /// Same revision, different bytes: the author signed two versions.
    Equivocation {
        /// Whether the incoming version wins the tie-break (lower hash) and replaces ours.
        incoming_wins: bool,
    },
}

impl MergeOutcome {
    /// Whether the incoming record should be stored in place of ours.
    pub fn incoming_wins(self) -> bool {
        matches!(
            self,
            MergeOutcome::New
                | MergeOutcome::Replaces
                | MergeOutcome::Equivocation {
                    incoming_wins: true
                }
        )
    }
}

/// Decides how `incoming` merges with `current`.
pub fn merge(current: Option<&Version>, incoming: &Version) -> MergeOutcome {
    let Some(current) = current else {
        return MergeOutcome::New;
    };
    match incoming.revision.cmp(&current.revision) {
        Ordering::Greater => MergeOutcome::Replaces,
        Ordering::Less => MergeOutcome::Stale,
        Ordering::Equal if incoming.hash == current.hash => MergeOutcome::Duplicate,
        Ordering::Equal => MergeOutcome::Equivocation {
            incoming_wins: incoming.hash < current.hash,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(revision: u64, h: u8) -> Version {
        Version {
            revision,
            hash: RecordHash([h; 32]),
        }
    }

    #[test]
    fn outcomes() {
        assert_eq!(merge(None, &v(1, 1)), MergeOutcome::New);
        assert_eq!(merge(Some(&v(1, 1)), &v(2, 9)), MergeOutcome::Replaces);
        assert_eq!(merge(Some(&v(2, 1)), &v(1, 0)), MergeOutcome::Stale);
        assert_eq!(merge(Some(&v(2, 1)), &v(2, 1)), MergeOutcome::Duplicate);
        assert_eq!(
            merge(Some(&v(2, 5)), &v(2, 3)),
            MergeOutcome::Equivocation {
                incoming_wins: true
            }
        );
        assert_eq!(
            merge(Some(&v(2, 3)), &v(2, 5)),
            MergeOutcome::Equivocation {
                incoming_wins: false
            }
        );
    }

    #[test]
    fn merge_agrees_with_join() {
        for a in [v(1, 1), v(1, 2), v(2, 0)] {
            for b in [v(1, 1), v(1, 2), v(2, 0)] {
                let kept = if merge(Some(&a), &b).incoming_wins() {
                    b
                } else {
                    a
                };
                assert_eq!(kept, join(a, b));
            }
        }
    }
}
