//! What staff and admins do on the nodes (publish, update, withdraw, peer, unpeer,
//! vouch), faults (crashes, restarts, an equivocating author), and the handles the
//! scenarios use.

use std::sync::Arc;

use rand::Rng;
use steunpunt_node::replication::{Draft, Engine, Input, Replicator};
use steunpunt_protocol::body::Peering;
use steunpunt_protocol::testing::{self, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{
    Body, Envelope, Kind, Payload, Record, RecordId, RecordKey, SteunpuntId, Timestamp,
};

use super::*;

impl World {
    /// A random duration in `low..=high` milliseconds (for scenarios).
    pub(crate) fn random_ms(&mut self, low: u64, high: u64) -> u64 {
        self.rng.random_range(low..=high)
    }

    /// Staff on `node` publish a new long-lived vacancy (for scenarios).
    pub(crate) fn publish_vacancy(&mut self, node: usize) -> Option<RecordKey> {
        self.next_record += 1;
        let id = RecordId::new(format!("v{}", self.next_record)).ok()?;
        let body = self.vacancy_body();
        let until = self.clock(node).plus_ms(30 * DAY_MS);
        self.publish(node, id.clone(), body, until)
            .then(|| RecordKey {
                author: self.nodes[node].id,
                kind: Kind::Vacancy,
                id,
            })
    }
}

impl World {
    /// Staff on `node` ask for a sync with every neighbour now (`POST /v1/sync`).
    pub(crate) fn sync_now(&mut self, node: usize) {
        let now = self.clock(node);
        if let Some(rep) = self.nodes[node].rep.as_mut() {
            rep.sync_all(now);
        }
        self.carry_out(node);
        self.pump();
    }

    /// Offences `node` booked against its peers since its last start, and the peers it
    /// refuses now (for scenarios).
    pub(crate) fn conduct(&self, node: usize) -> (u64, usize) {
        self.nodes[node]
            .rep
            .as_ref()
            .map_or((0, 0), |r| (r.offences(), r.bans().count()))
    }
}

/// Records held by `node` (for scenarios).
pub(crate) fn holds(world: &World, node: usize, key: &RecordKey) -> bool {
    world.nodes[node]
        .rep
        .as_ref()
        .is_some_and(|r| r.engine().index().contains_key(key))
}

/// The steunpunt of `node` (for scenarios).
pub(crate) fn steunpunt(world: &World, node: usize) -> SteunpuntId {
    world.nodes[node].id
}

pub(super) fn entry(id: SteunpuntId) -> steunpunt_protocol::body::PeeringEntry {
    steunpunt_protocol::body::PeeringEntry {
        steunpunt: id,
        label: id.short(),
    }
}

impl World {
    fn acknowledge(&mut self, node: usize, record: &Record) {
        let p = record.payload();
        self.acknowledgements += 1;
        self.acked.insert(
            record.key(),
            Ack {
                revision: p.revision,
                withdrawn: p.is_withdrawal(),
                valid_until: p.valid_until,
            },
        );
        if let Some(Body::Peering(peering)) = &p.body {
            self.peerings.insert(self.nodes[node].id, peering.clone());
        }
        self.trace(&[
            self.now,
            2,
            node as u64,
            p.revision,
            u64::from(p.is_withdrawal()),
        ]);
    }

    /// Runs a staff operation on `node`'s replicator; acknowledges what it returns.
    pub(super) fn staff(
        &mut self,
        node: usize,
        work: impl FnOnce(&mut Rep, Timestamp) -> Option<Record>,
    ) -> bool {
        let now = self.clock(node);
        let Some(rep) = self.nodes[node].rep.as_mut() else {
            return false;
        };
        let record = work(rep, now);
        if let Some(record) = &record {
            self.acknowledge(node, record);
        }
        self.carry_out(node);
        self.pump();
        record.is_some()
    }

    fn publish(&mut self, node: usize, id: RecordId, body: Body, valid_until: Timestamp) -> bool {
        let draft = Draft {
            kind: Kind::Vacancy,
            id,
            id_from_title: false,
            body,
            valid_until: Some(valid_until),
        };
        self.staff(node, |rep, now| {
            rep.publish_draft(draft, false, now).ok().map(|(r, _)| r)
        })
    }

    fn own_live_vacancies(&self, node: usize, late: bool) -> Vec<(RecordId, Ack)> {
        let me = self.nodes[node].id;
        let horizon = self.clock(node).plus_ms(if late { DAY_MS } else { 0 });
        self.acked
            .iter()
            .filter(|(k, a)| {
                k.author == me && k.kind == Kind::Vacancy && !a.withdrawn && a.valid_until > horizon
            })
            .map(|(k, a)| (k.id.clone(), *a))
            .collect()
    }

    fn vacancy_body(&mut self) -> Body {
        let mut v = testing::vacancy();
        v.title = format!("Vacature {}", self.rng.random::<u32>());
        Body::Vacancy(v)
    }

    pub(super) fn op(&mut self, late: bool) {
        let node = self.rng.random_range(0..self.nodes.len());
        if !self.up(node) {
            self.trace(&[self.now, 3, node as u64]);
            return;
        }
        let roll = self.rng.random_range(0..100);
        let now = self.clock(node);
        match roll {
            0..45 => {
                self.next_record += 1;
                let id = RecordId::new(format!("v{}", self.next_record))
                    .unwrap_or_else(|_| unreachable!());
                let validity = if !late && self.rng.random_bool(0.5) {
                    self.rng.random_range(3 * MINUTE..=10 * MINUTE)
                } else {
                    30 * DAY_MS
                };
                let body = self.vacancy_body();
                self.publish(node, id, body, now.plus_ms(validity));
            }
            45..65 => {
                let live = self.own_live_vacancies(node, late);
                if !live.is_empty() {
                    let (id, ack) = live[self.rng.random_range(0..live.len())].clone();
                    let body = self.vacancy_body();
                    self.publish(node, id, body, ack.valid_until);
                }
            }
            65..82 => {
                let live = self.own_live_vacancies(node, late);
                if !live.is_empty() {
                    let (id, _) = live[self.rng.random_range(0..live.len())].clone();
                    self.staff(node, |rep, now| rep.withdraw(Kind::Vacancy, id, now).ok());
                }
            }
            82..94 => self.change_trust(node),
            _ if late => {}
            _ => self.equivocate(node),
        }
    }

    pub(super) fn ring_neighbours(&self, node: usize) -> [usize; 2] {
        let n = self.nodes.len();
        [(node + n - 1) % n, (node + 1) % n]
    }

    fn peering_of(&self, node: usize) -> Peering {
        self.peerings
            .get(&self.nodes[node].id)
            .cloned()
            .unwrap_or_default()
    }

    fn publish_peering(&mut self, node: usize, peering: Peering) -> bool {
        self.staff(node, |rep, now| {
            rep.change_peering(|p| *p = peering, now).ok()
        })
    }

    /// What `steunpunt peer add` does on `node`: vouch for `other` and dial its node.
    pub(crate) fn peer_add(&mut self, node: usize, other: usize) -> bool {
        let other_id = self.nodes[other].id;
        let mut mine = self.peering_of(node);
        mine.blocks.retain(|e| e.steunpunt != other_id);
        if !mine.vouches_for(&other_id) {
            mine.vouches.push(entry(other_id));
        }
        if !self.publish_peering(node, mine) {
            return false;
        }
        self.nodes[node].targets.insert(other);
        self.add_target(node, other);
        true
    }

    fn add_target(&mut self, node: usize, other: usize) {
        let id = self.nodes[other].id;
        if let Some(rep) = self.nodes[node].rep.as_mut() {
            rep.add_target(SimPeer(other), (), id, id.short());
            self.carry_out(node);
            self.pump();
        }
    }

    /// What `steunpunt peer remove` does on `node`.
    fn peer_remove(&mut self, node: usize, other: usize) -> bool {
        let other_id = self.nodes[other].id;
        let mut mine = self.peering_of(node);
        mine.vouches.retain(|e| e.steunpunt != other_id);
        if !self.publish_peering(node, mine) {
            return false;
        }
        self.nodes[node].targets.remove(&other);
        if let Some(rep) = self.nodes[node].rep.as_mut() {
            rep.remove_target(&SimPeer(other));
            self.carry_out(node);
            self.pump();
        }
        true
    }

    /// Toggles a chord (a vouch beyond the ring) on both sides, or a block on one side.
    fn change_trust(&mut self, node: usize) {
        let other = self.rng.random_range(0..self.nodes.len());
        if other == node || self.ring_neighbours(node).contains(&other) {
            return;
        }
        let other_id = self.nodes[other].id;
        let node_id = self.nodes[node].id;
        let mut mine = self.peering_of(node);
        if self.rng.random_bool(0.25) {
            // Block or unblock `other`, unless we vouch for it.
            if mine.vouches_for(&other_id) {
                return;
            }
            if mine.blocks(&other_id) {
                mine.blocks.retain(|e| e.steunpunt != other_id);
            } else {
                mine.blocks.push(entry(other_id));
            }
            self.publish_peering(node, mine);
            return;
        }
        // Peering is an admin act on both sides: both must be up, neither may block the other.
        let theirs = self.peering_of(other);
        if !self.up(other) || mine.blocks(&other_id) || theirs.blocks(&node_id) {
            return;
        }
        let done = if mine.vouches_for(&other_id) {
            self.peer_remove(node, other) && self.peer_remove(other, node)
        } else {
            self.peer_add(node, other) && self.peer_add(other, node)
        };
        if !done {
            unreachable!("peering on an up node failed");
        }
    }

    /// The author signs two different revision-1 versions of one record and sends each to
    /// a different neighbour. Not acknowledged to anyone: the nodes must agree on one.
    fn equivocate(&mut self, node: usize) {
        self.next_record += 1;
        let id = RecordId::new(format!("e{}", self.next_record)).unwrap_or_else(|_| unreachable!());
        let now = self.clock(node);
        let [left, right] = self.ring_neighbours(node);
        for (variant, to) in [(0, left), (1, right)] {
            let mut v = testing::vacancy();
            v.title = format!("Dubbele vacature versie {variant}");
            let payload = Payload {
                version: 1,
                kind: Kind::Vacancy,
                id: id.clone(),
                revision: 1,
                updated_at: now,
                valid_until: now.plus_ms(30 * DAY_MS),
                body: Some(Body::Vacancy(v)),
            };
            if let Ok(envelope) = Envelope::sign(&key(node_key(node)), &payload.encode()) {
                self.send(node, to, Msg::Gossip(envelope.shared_bytes()));
            }
        }
    }

    pub(crate) fn crash(&mut self, node: usize) {
        if self.nodes[node].rep.take().is_none() {
            return;
        }
        let n = &mut self.nodes[node];
        n.store.crash();
        n.epoch += 1;
        n.gossip.clear();
        n.replies.clear();
        for peer in self.linked_peers(node) {
            self.links.remove(&link(node, peer));
            self.inject(peer, Input::Disconnected(SimPeer(node)));
        }
        self.pump();
        self.trace(&[self.now, 9, node as u64]);
    }

    /// Starts `node` as the daemon does: open the engine on its store, publish the profile
    /// if it changed, dial the saved peers.
    pub(crate) fn restart(&mut self, node: usize) {
        if self.up(node) {
            return;
        }
        let now = self.clock(node);
        let engine = Engine::open(
            Arc::clone(&self.nodes[node].store),
            key(node_key(node)),
            engine_config(&self.config),
            now,
        );
        self.trace(&[self.now, 10, node as u64, u64::from(engine.is_ok())]);
        let Ok(engine) = engine else {
            return;
        };
        let seed = self.rng.random();
        let mut rep = Replicator::new(engine, self.config.policy.clone(), seed);
        rep.start();
        let profile = testing::profile(&format!("Steunpunt {node}"), Vec::new());
        if let Ok(Some(record)) = rep.ensure_profile(profile, &SimPeer(node).node_id(), now) {
            self.acknowledge(node, &record);
        }
        let n = &mut self.nodes[node];
        n.epoch += 1;
        n.rep = Some(rep);
        self.carry_out(node);
        for other in self.nodes[node].targets.clone() {
            self.add_target(node, other);
        }
        self.pump();
    }
}
