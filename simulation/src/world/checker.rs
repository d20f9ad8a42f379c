//! The checker, in the style of Jepsen's set-full: every node against what staff were
//! told (acknowledged records) and the trust each node should have.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use steunpunt_protocol::{RecordHash, SteunpuntId, TrustSet};

use super::*;

#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Check {
    pub(super) lost: u64,
    pub(super) resurrected: u64,
    pub(super) untrusted_held: u64,
    pub(super) diverged: u64,
    /// (node, record) pairs no path of connections can deliver: not a failure.
    pub(super) unreachable: u64,
}

impl Check {
    pub(super) fn passed(&self) -> bool {
        self.lost == 0 && self.resurrected == 0 && self.untrusted_held == 0 && self.diverged == 0
    }
}

impl World {
    fn expected_trust(&self, node: usize) -> TrustSet {
        TrustSet::compute(self.nodes[node].id, &self.peerings, self.config.trust_hops)
    }

    /// Nodes that can connect: one dials the other (its admin added it) and the other
    /// lets it in (added it too, or trusts its steunpunt). Only neighbours are dialled:
    /// profiles carry no addresses.
    fn can_link(&self, a: usize, b: usize, trust: &[TrustSet]) -> bool {
        let lets_in = |to: usize, from: usize| {
            self.nodes[to].targets.contains(&from) || trust[to].contains(&self.nodes[from].id)
        };
        (self.nodes[a].targets.contains(&b) && lets_in(b, a))
            || (self.nodes[b].targets.contains(&a) && lets_in(a, b))
    }

    /// For each author, the nodes its records can reach: along connections, through nodes
    /// that trust it (a node does not relay records of an author it does not trust, for
    /// example one it blocks).
    fn reach(&self, trust: &[TrustSet]) -> Vec<BTreeSet<usize>> {
        let n = self.nodes.len();
        (0..n)
            .map(|author| {
                let id = self.nodes[author].id;
                let mut seen = BTreeSet::from([author]);
                let mut queue = VecDeque::from([author]);
                while let Some(at) = queue.pop_front() {
                    for next in 0..n {
                        if !seen.contains(&next)
                            && trust[next].contains(&id)
                            && self.can_link(at, next, trust)
                        {
                            seen.insert(next);
                            queue.push_back(next);
                        }
                    }
                }
                seen
            })
            .collect()
    }

    pub(super) fn check(&self) -> Check {
        let mut check = Check::default();
        let trust: Vec<TrustSet> = (0..self.nodes.len())
            .map(|n| self.expected_trust(n))
            .collect();
        let reach = self.reach(&trust);
        let author_node: BTreeMap<SteunpuntId, usize> = (0..self.nodes.len())
            .map(|n| (self.nodes[n].id, n))
            .collect();
        let reaches = |author: &SteunpuntId, node: usize| {
            author_node
                .get(author)
                .is_some_and(|a| reach[*a].contains(&node))
        };
        let mut groups: BTreeMap<Vec<SteunpuntId>, BTreeSet<RecordHash>> = BTreeMap::new();
        for node in 0..self.nodes.len() {
            let Some(rep) = &self.nodes[node].rep else {
                continue;
            };
            let engine = rep.engine();
            let now = self.clock(node);
            let trust = &trust[node];
            for (key, ack) in &self.acked {
                if !trust.contains(&key.author) || ack.withdrawn || ack.valid_until <= now {
                    continue;
                }
                if !reaches(&key.author, node) {
                    check.unreachable += 1;
                    continue;
                }
                let held = engine.index().get(key).map(|m| m.version.revision);
                if held.is_none_or(|r| r < ack.revision) {
                    check.lost += 1;
                }
            }
            let mut print = blake3::Hasher::new();
            for (key, meta) in engine.index() {
                if !trust.contains(&key.author) {
                    check.untrusted_held += 1;
                }
                // Expiry is local: it must hold whether or not anything reaches the node.
                if meta.valid_until <= now {
                    check.resurrected += 1;
                }
                if !reaches(&key.author, node) {
                    continue;
                }
                print.update(&meta.version.hash.0);
                let withdrawn = self
                    .acked
                    .get(key)
                    .is_some_and(|a| a.withdrawn && meta.version.revision < a.revision);
                if withdrawn {
                    check.resurrected += 1;
                }
            }
            // Nodes that trust, and are reached by, the same authors must hold the same.
            let members: Vec<SteunpuntId> = trust
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| reaches(id, node))
                .collect();
            groups
                .entry(members)
                .or_default()
                .insert(RecordHash(*print.finalize().as_bytes()));
        }
        check.diverged = groups.values().map(|prints| prints.len() as u64 - 1).sum();
        check
    }
}
