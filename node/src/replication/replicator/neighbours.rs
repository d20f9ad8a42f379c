//! Neighbours: whom we dial and let in, redialling with backoff, bans for misconduct,
//! and what staff change with the peer commands.

use std::collections::BTreeMap;
use std::fmt::Debug;

use steunpunt_protocol::body::PeeringEntry;
use steunpunt_protocol::{Record, SteunpuntId, Timestamp};
use tracing::{debug, info, warn};

use crate::replication::conduct::Offence;
use crate::replication::engine::EngineError;
use crate::store::Store;

use super::*;

/// Why a neighbour gave no sync answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unanswered {
    /// The dial failed: nothing answers at its address.
    Unreachable,
    /// A connection was made and closed before a sync answer: its node does not let us
    /// in, most likely because its steunpunt has not peered with us.
    Closed,
}

/// A neighbour the admin peered with, as the replicator tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour<P: Peer> {
    /// Its node.
    pub node: P,
    /// Where we dial it.
    pub addr: P::Addr,
    /// Its steunpunt.
    pub steunpunt: SteunpuntId,
    /// What the admin calls it.
    pub label: String,
}

/// A neighbour the admin peered with: we dial it and keep redialling.
#[derive(Debug, Clone)]
pub(super) struct Target<A> {
    pub(super) addr: A,
    pub(super) steunpunt: SteunpuntId,
    pub(super) label: String,
    /// Attempts in a row that ended without a sync answer.
    pub(super) failures: u32,
    /// Whether the current connection has answered a sync request: proof that the other
    /// side trusts us.
    pub(super) answered: bool,
    /// Scheduling counter of the redial timer.
    pub(super) attempt: u64,
    /// Whether the admin was told that the neighbour has not peered back.
    pub(super) noticed: bool,
}

/// Most refused nodes remembered (to log each at most once an hour).
const MAX_REFUSED: usize = 256;

const HOUR_MS: u64 = 3_600_000;

impl<S: Store, P: Peer> Replicator<S, P> {
    /// Books what `peer` did wrong; over the limit it is disconnected and refused for a
    /// while (see [`Conduct`]).
    pub(super) fn offended(&mut self, peer: &P, offence: Offence, count: u32, now: Timestamp) {
        self.offences = self.offences.saturating_add(u64::from(count));
        let Some(ban) = self.conduct.offend(peer, offence, count, now) else {
            return;
        };
        let steunpunt = self.allowed.get(peer).copied().flatten();
        let name = steunpunt.map_or_else(|| "an unknown steunpunt".to_owned(), |s| s.to_string());
        warn!(
            %peer,
            "the node of {name} sent {}: disconnected and refused for {} minutes \
             (ban number {}). Tell its admin; if it goes on, `steunpunt peer block` it",
            offence.describe(),
            ban.for_ms / 60_000,
            ban.count
        );
        self.refresh_allowed();
        self.schedule(ban.for_ms, Timer::Unban(peer.clone()));
    }

    pub(super) fn dial(&mut self, peer: &P) {
        if self.conduct.banned(peer) {
            return;
        }
        if let Some(target) = self.targets.get(peer) {
            self.outputs.push_back(Output::Dial {
                peer: peer.clone(),
                addr: target.addr.clone(),
            });
        }
    }

    /// Schedules the next attempt at a neighbour. `failed`: why the last attempt brought
    /// no sync answer, so the delay doubles (up to the maximum); otherwise it starts over.
    pub(super) fn redial_later(&mut self, peer: &P, failed: Option<Unanswered>) {
        let (min, max, notice_after) = (
            self.policy.redial_min_ms,
            self.policy.redial_max_ms,
            self.policy.unanswered_notice_after,
        );
        let Some(target) = self.targets.get_mut(peer) else {
            return;
        };
        if failed.is_some() {
            target.failures = target.failures.saturating_add(1);
        } else {
            target.failures = 0;
        }
        target.attempt += 1;
        let failures = target.failures;
        let attempt = target.attempt;
        if let Some(why) = failed
            && failures == notice_after
            && !target.noticed
        {
            target.noticed = true;
            let name = if target.label.is_empty() {
                format!("steunpunt {}", target.steunpunt)
            } else {
                format!("{} ({})", target.label, target.steunpunt)
            };
            let minutes = max / 60_000;
            match why {
                Unanswered::Closed => info!(
                    %peer,
                    "{name} has not peered with us yet: its node closes our connections. \
                     Ask its admin to run `steunpunt peer add` with our address and steunpunt ID; \
                     we keep trying, at most every {minutes} minutes"
                ),
                Unanswered::Unreachable => info!(
                    %peer,
                    "{name}'s node cannot be reached: is it running, and is its address in \
                     `steunpunt peer list` right? We keep trying, at most every {minutes} minutes"
                ),
            }
        }
        let delay = min
            .saturating_mul(1u64 << failures.saturating_sub(1).min(20))
            .min(max);
        let delay = self.jittered(delay);
        self.schedule(
            delay,
            Timer::Redial {
                peer: peer.clone(),
                attempt,
            },
        );
    }

    pub(super) fn on_disconnected(&mut self, peer: P) {
        if self.targets.get(&peer).is_none_or(|t| t.answered) {
            info!(%peer, "disconnected");
        } else {
            debug!(%peer, "disconnected before answering");
        }
        self.connected.remove(&peer);
        self.sessions.forget_peer(&peer);
        self.syncing.remove(&peer);
        self.last_open.remove(&peer);
        self.deferred.remove(&peer);
        self.runs.retain(|_, r| r.peer != peer);
        let answered = self.targets.get(&peer).map(|t| t.answered);
        if let Some(answered) = answered {
            self.redial_later(&peer, (!answered).then_some(Unanswered::Closed));
        }
    }

    pub(super) fn on_refused(&mut self, peer: P, now: Timestamp) {
        if self.allowed.contains_key(&peer) {
            // Refused by a connection limit, not by trust.
            debug!(%peer, "connection refused: too many connections");
            return;
        }
        if self.conduct.banned(&peer) {
            debug!(%peer, "connection refused: the node is banned for misconduct");
            return;
        }
        let recent = self
            .refused
            .get(&peer)
            .is_some_and(|at| now.0.saturating_sub(at.0) < HOUR_MS);
        if recent {
            return;
        }
        if self.refused.len() >= MAX_REFUSED {
            self.refused
                .retain(|_, at| now.0.saturating_sub(at.0) < HOUR_MS);
            if self.refused.len() >= MAX_REFUSED {
                return;
            }
        }
        self.refused.insert(peer.clone(), now);
        info!(
            %peer,
            "refused a connection from node {peer}: no steunpunt we trust lists it. If it is a \
             neighbour's node, add it with `steunpunt peer add ADDRESS/p2p/{peer} STEUNPUNT_ID`"
        );
    }

    /// A neighbour to dial and keep dialling (from `peer add` or the saved peer list).
    pub fn add_target(&mut self, peer: P, addr: P::Addr, steunpunt: SteunpuntId, label: String) {
        self.targets.insert(
            peer.clone(),
            Target {
                addr,
                steunpunt,
                label,
                failures: 0,
                answered: false,
                attempt: 0,
                noticed: false,
            },
        );
        self.refresh_allowed();
        if !self.connected.contains(&peer) {
            self.dial(&peer);
        }
    }

    /// Stops dialling a neighbour's node.
    pub fn remove_target(&mut self, peer: &P) {
        self.targets.remove(peer);
        self.refresh_allowed();
    }

    /// The neighbours the admin peered with.
    pub fn neighbours(&self) -> Vec<Neighbour<P>> {
        self.targets
            .iter()
            .map(|(p, t)| Neighbour {
                node: p.clone(),
                addr: t.addr.clone(),
                steunpunt: t.steunpunt,
                label: t.label.clone(),
            })
            .collect()
    }

    /// `peer add`: vouch for `steunpunt` (durable before it returns) and dial its node at
    /// `addr`, instead of any node of it dialled before.
    pub fn peer_add(
        &mut self,
        peer: P,
        addr: P::Addr,
        steunpunt: SteunpuntId,
        label: String,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        if steunpunt == self.engine.me() {
            return Err(EngineError::OwnSteunpunt);
        }
        let vouch = PeeringEntry {
            steunpunt,
            label: label.clone(),
        };
        let record = self.change_peering(
            |p| {
                p.blocks.retain(|e| e.steunpunt != steunpunt);
                if !p.vouches_for(&steunpunt) {
                    p.vouches.push(vouch);
                }
            },
            now,
        )?;
        self.forget_nodes_of(steunpunt);
        self.add_target(peer, addr, steunpunt, label);
        Ok(record)
    }

    /// At start: dial the saved neighbours, and vouch for any of them our peering record
    /// does not (yet) vouch for, so that the neighbour list and the peering record agree.
    /// A neighbour we block stays blocked and is not dialled.
    pub fn restore_neighbours(
        &mut self,
        neighbours: Vec<(P, P::Addr, SteunpuntId, String)>,
        now: Timestamp,
    ) -> Result<Option<Record>, EngineError> {
        let peering = self.engine.own_peering()?;
        let mut missing = Vec::new();
        for (peer, addr, steunpunt, label) in neighbours {
            if peering.blocks(&steunpunt) || steunpunt == self.engine.me() {
                continue;
            }
            if !peering.vouches_for(&steunpunt) {
                missing.push(PeeringEntry {
                    steunpunt,
                    label: label.clone(),
                });
            }
            self.add_target(peer, addr, steunpunt, label);
        }
        if missing.is_empty() {
            return Ok(None);
        }
        if let Some(recovery) = &mut self.recovery {
            // Our peering record comes back from the region first; then we vouch.
            recovery.vouch.extend(missing);
            return Ok(None);
        }
        info!(
            count = missing.len(),
            "vouching for saved neighbours our peering record did not list"
        );
        self.change_peering(|p| p.vouches.extend(missing), now)
            .map(Some)
    }

    /// `peer remove`: stop vouching for `steunpunt` and stop dialling its nodes.
    pub fn peer_remove(
        &mut self,
        steunpunt: SteunpuntId,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        let record =
            self.change_peering(|p| p.vouches.retain(|e| e.steunpunt != steunpunt), now)?;
        self.forget_nodes_of(steunpunt);
        Ok(record)
    }

    /// `peer block`: never trust `steunpunt`, not even through others.
    pub fn peer_block(
        &mut self,
        steunpunt: SteunpuntId,
        label: String,
        now: Timestamp,
    ) -> Result<Record, EngineError> {
        if steunpunt == self.engine.me() {
            return Err(EngineError::OwnSteunpunt);
        }
        let record = self.change_peering(
            |p| {
                p.vouches.retain(|e| e.steunpunt != steunpunt);
                if !p.blocks(&steunpunt) {
                    p.blocks.push(PeeringEntry { steunpunt, label });
                }
            },
            now,
        )?;
        self.forget_nodes_of(steunpunt);
        Ok(record)
    }

    fn forget_nodes_of(&mut self, steunpunt: SteunpuntId) {
        self.targets.retain(|_, t| t.steunpunt != steunpunt);
        self.refresh_allowed();
    }

    /// Nodes allowed to connect: those listed in the profiles of trusted steunpunten, and
    /// the neighbours' nodes we were told to dial, but for those banned for misconduct.
    pub(super) fn refresh_allowed(&mut self) {
        let mut allowed: BTreeMap<P, Option<SteunpuntId>> = BTreeMap::new();
        for (steunpunt, node) in self.engine.trusted_node_ids() {
            if let Some(peer) = P::from_node_id(&node) {
                allowed.insert(peer, Some(steunpunt));
            }
        }
        for (peer, target) in &self.targets {
            allowed
                .entry(peer.clone())
                .or_insert(Some(target.steunpunt));
        }
        allowed.retain(|peer, _| !self.conduct.banned(peer));
        for peer in self.allowed.keys() {
            if !allowed.contains_key(peer) {
                if !self.conduct.banned(peer) {
                    info!(%peer, "no longer trusted: disconnecting");
                }
                self.outputs.push_back(Output::Disallow(peer.clone()));
            }
        }
        for peer in allowed.keys() {
            if !self.allowed.contains_key(peer) {
                self.outputs.push_back(Output::Allow(peer.clone()));
            }
        }
        self.allowed = allowed;
    }

    /// The other side talks sync with us, so it trusts us: its backoff starts over.
    pub(super) fn answered(&mut self, peer: &P) {
        if let Some(target) = self.targets.get_mut(peer) {
            if !target.answered {
                info!(%peer, steunpunt = %target.steunpunt, "connected to a neighbour");
            }
            target.answered = true;
            target.failures = 0;
            target.noticed = false;
        }
    }
}
