//! The trust computation (ARCHITECTURE.md, Trust): who a node stores, serves and relays records for.
//!
//! Starting from our own steunpunt, follow the vouches in `peering` records breadth-first up
//! to `trust_hops`, never entering or passing through a steunpunt our own `peering` blocks.
//! Each trusted steunpunt gets its hop distance and one vouching path (for provenance),
//! chosen deterministically: the path through the smallest IDs at each level.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::body::Peering;
use crate::keys::SteunpuntId;

/// Default number of vouching hops to follow.
pub const DEFAULT_TRUST_HOPS: u8 = 3;
/// Largest accepted `trust_hops` setting.
pub const MAX_TRUST_HOPS: u8 = 8;

/// Why a steunpunt is trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trusted {
    /// 0 for ourselves, 1 for those we vouch for, and so on.
    pub hops: u8,
    /// The vouching chain from our steunpunt to this one, both included.
    pub path: Vec<SteunpuntId>,
}

/// The steunpunten a node trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustSet {
    members: BTreeMap<SteunpuntId, Trusted>,
}

impl TrustSet {
    /// Computes the trusted set for `me` from the `peering` records we hold.
    pub fn compute(
        me: SteunpuntId,
        peerings: &BTreeMap<SteunpuntId, Peering>,
        trust_hops: u8,
    ) -> Self {
        let blocked =
            |id: &SteunpuntId| *id != me && peerings.get(&me).is_some_and(|p| p.blocks(id));
        let mut members = BTreeMap::new();
        members.insert(
            me,
            Trusted {
                hops: 0,
                path: vec![me],
            },
        );
        let mut frontier = vec![me];
        for hops in 1..=trust_hops.min(MAX_TRUST_HOPS) {
            let mut next = Vec::new();
            // `frontier` is sorted, so the first parent found is the smallest ID.
            for parent in &frontier {
                let Some(peering) = peerings.get(parent) else {
                    continue;
                };
                let mut vouched: Vec<SteunpuntId> =
                    peering.vouches.iter().map(|e| e.steunpunt).collect();
                vouched.sort();
                for child in vouched {
                    if blocked(&child) || members.contains_key(&child) {
                        continue;
                    }
                    let mut path = members
                        .get(parent)
                        .map(|t: &Trusted| t.path.clone())
                        .unwrap_or_default();
                    path.push(child);
                    members.insert(child, Trusted { hops, path });
                    next.push(child);
                }
            }
            if next.is_empty() {
                break;
            }
            next.sort();
            frontier = next;
        }
        Self { members }
    }

    /// Whether `id` is trusted.
    pub fn contains(&self, id: &SteunpuntId) -> bool {
        self.members.contains_key(id)
    }

    /// Why `id` is trusted, if it is.
    pub fn get(&self, id: &SteunpuntId) -> Option<&Trusted> {
        self.members.get(id)
    }

    /// Every trusted steunpunt in ID order.
    pub fn iter(&self) -> impl Iterator<Item = (&SteunpuntId, &Trusted)> {
        self.members.iter()
    }

    /// How many steunpunten are trusted, ourselves included.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always false: we trust ourselves.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::PeeringEntry;
    use crate::keys::SteunpuntKey;

    fn id(n: u8) -> SteunpuntId {
        SteunpuntKey::from_secret_bytes(&[n; 32]).id()
    }

    fn peering(vouches: &[u8], blocks: &[u8]) -> Peering {
        let entries = |ns: &[u8]| {
            ns.iter()
                .map(|n| PeeringEntry {
                    steunpunt: id(*n),
                    label: format!("sp {n}"),
                })
                .collect()
        };
        Peering {
            vouches: entries(vouches),
            blocks: entries(blocks),
        }
    }

    #[test]
    fn chain_is_followed_up_to_the_hop_limit() {
        // 0 → 1 → 2 → 3 → 4
        let peerings: BTreeMap<_, _> = (0..4).map(|n| (id(n), peering(&[n + 1], &[]))).collect();
        let trust = TrustSet::compute(id(0), &peerings, 3);
        assert_eq!(trust.len(), 4);
        assert!(!trust.contains(&id(4)));
        let t3 = trust.get(&id(3)).unwrap();
        assert_eq!(t3.hops, 3);
        assert_eq!(t3.path, vec![id(0), id(1), id(2), id(3)]);
        assert_eq!(TrustSet::compute(id(0), &peerings, 0).len(), 1);
    }

    #[test]
    fn own_blocks_are_never_trusted_nor_passed_through() {
        // 0 vouches 1, blocks 2; 1 vouches 2; 2 vouches 3.
        let mut peerings = BTreeMap::new();
        peerings.insert(id(0), peering(&[1], &[2]));
        peerings.insert(id(1), peering(&[2], &[]));
        peerings.insert(id(2), peering(&[3], &[]));
        let trust = TrustSet::compute(id(0), &peerings, 3);
        assert!(trust.contains(&id(1)));
        assert!(!trust.contains(&id(2)));
        assert!(!trust.contains(&id(3)));
    }

    #[test]
    fn blocks_of_others_do_not_bind_us() {
        let mut peerings = BTreeMap::new();
        peerings.insert(id(0), peering(&[1, 2], &[]));
        peerings.insert(id(1), peering(&[], &[2]));
        assert!(TrustSet::compute(id(0), &peerings, 3).contains(&id(2)));
    }

    #[test]
    fn shortest_path_wins() {
        // 0 → 1 → 2 → 3 and 0 → 3 directly.
        let mut peerings = BTreeMap::new();
        peerings.insert(id(0), peering(&[1, 3], &[]));
        peerings.insert(id(1), peering(&[2], &[]));
        peerings.insert(id(2), peering(&[3], &[]));
        let trust = TrustSet::compute(id(0), &peerings, 3);
        assert_eq!(trust.get(&id(3)).map(|t| t.hops), Some(1));
    }
}
