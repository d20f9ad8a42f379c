//! Sync runs and sessions: when a run starts (never sooner than a neighbour accepts),
//! its requests and answers, and what we answer the runs of others.

use std::fmt::Debug;

use steunpunt_protocol::Timestamp;
use steunpunt_protocol::sync::{SyncRequest, SyncResponse};
use tracing::{info, warn};

use crate::replication::sync::{MIN_OPEN_GAP_MS, SyncRun};
use crate::store::Store;

use super::*;

/// What [`Replicator::sync_all`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncsStarted {
    /// Syncs started now.
    pub now: usize,
    /// Syncs that start within [`MIN_OPEN_GAP_MS`], the last one with that neighbour
    /// being too recent.
    pub soon: usize,
}

pub(super) enum Start {
    Now,
    Soon,
    No,
}

pub(super) struct Run<P> {
    pub(super) peer: P,
    pub(super) run: SyncRun,
    pub(super) generation: u64,
    pub(super) sent_at: Timestamp,
}

impl<S: Store, P: Peer> Replicator<S, P> {
    /// Starts a sync with every connected peer, or schedules it where the last one with
    /// that peer was too recent ([`MIN_OPEN_GAP_MS`]).
    pub fn sync_all(&mut self, now: Timestamp) -> SyncsStarted {
        let peers: Vec<P> = self.connected.iter().cloned().collect();
        let mut started = SyncsStarted::default();
        for peer in peers {
            match self.start_sync(peer, now) {
                Start::Now => started.now += 1,
                Start::Soon => started.soon += 1,
                Start::No => {}
            }
        }
        started
    }

    pub(super) fn start_sync(&mut self, peer: P, now: Timestamp) -> Start {
        if self.syncing.contains(&peer)
            || !self.allowed.contains_key(&peer)
            || !self.connected.contains(&peer)
        {
            return Start::No;
        }
        // Never more often than a neighbour accepts, whatever the interval, the events
        // or the staff ask: sooner, and it waits for the gap to end.
        let since = self
            .last_open
            .get(&peer)
            .map_or(u64::MAX, |at| now.0.saturating_sub(at.0));
        if since < MIN_OPEN_GAP_MS {
            if self.deferred.insert(peer.clone()) {
                self.schedule(MIN_OPEN_GAP_MS - since, Timer::SyncPeer(peer));
            }
            return Start::Soon;
        }
        if self.runs.len() >= self.policy.max_concurrent_syncs {
            return Start::No;
        }
        self.next_session = self.next_session.wrapping_add(1);
        match SyncRun::start(&self.engine, self.next_session, now) {
            Ok((run, message)) => {
                let generation = self.engine.trust_generation();
                self.send_request(peer.clone(), run, message, generation, now);
                self.last_open.insert(peer.clone(), now);
                self.syncing.insert(peer);
                Start::Now
            }
            Err(e) => {
                warn!(%peer, "cannot start sync: {e}");
                Start::No
            }
        }
    }

    fn send_request(
        &mut self,
        peer: P,
        run: SyncRun,
        message: SyncRequest,
        generation: u64,
        now: Timestamp,
    ) {
        self.next_request += 1;
        let request = self.next_request;
        self.outputs.push_back(Output::Request {
            peer: peer.clone(),
            request,
            message,
        });
        self.runs.insert(
            request,
            Run {
                peer,
                run,
                generation,
                sent_at: now,
            },
        );
    }

    /// After anything that may have changed trust: when it did, recompute who may connect
    /// and fetch the newly trusted authors' records now rather than at the next timer.
    pub(super) fn after_engine_change(&mut self, now: Timestamp) {
        let generation = self.engine.trust_generation();
        if generation != self.trust_generation {
            self.trust_generation = generation;
            self.refresh_allowed();
            self.sync_all(now);
        }
    }

    pub(super) fn on_sync_request(
        &mut self,
        from: P,
        reply: u64,
        request: SyncRequest,
        now: Timestamp,
    ) {
        self.answered(&from);
        let is_offer = matches!(request, SyncRequest::Offer { .. });
        let served = self
            .engine
            .serve_sync(&mut self.sessions, from.clone(), request, now);
        let message = served.response;
        let offered_new = matches!(message, SyncResponse::Received { accepted } if accepted > 0);
        self.outputs.push_back(Output::Respond { reply, message });
        if let Some((offence, count)) = served.offence {
            self.offended(&from, offence, count, now);
        }
        if is_offer {
            if offered_new {
                self.learned();
                self.refresh_allowed();
            }
            self.after_engine_change(now);
            // Pass what we were offered on to our other peers now.
            if offered_new {
                self.sync_all(now);
            }
        }
    }

    pub(super) fn on_sync_response(
        &mut self,
        request: u64,
        response: SyncResponse,
        now: Timestamp,
    ) {
        let Some(Run {
            peer,
            mut run,
            generation,
            ..
        }) = self.runs.remove(&request)
        else {
            return;
        };
        if !matches!(response, SyncResponse::Refused { .. }) {
            self.answered(&peer);
        }
        let before = run.stats().accepted;
        let step = run.on_response(&mut self.engine, response, now);
        if run.stats().accepted > before {
            self.learned();
        }
        match step {
            Ok(Some(message)) => self.send_request(peer, run, message, generation, now),
            Ok(None) => {
                self.syncing.remove(&peer);
                self.finish_recovery(now);
                let s = run.stats();
                info!(%peer, fetched = s.accepted, offered = s.accepted_by_peer, round_trips = s.round_trips, bytes = s.bytes_sent + s.bytes_received, "sync done");
                let fetched = s.accepted;
                self.refresh_allowed();
                self.after_engine_change(now);
                // Trust grew during the run, whose scope was fixed at its start: sync
                // again for the newly trusted authors.
                if self.engine.trust_generation() != generation {
                    self.start_sync(peer, now);
                }
                // Records learned by sync are not gossiped; pass them on to the other
                // peers now. This stops once a run brings nothing new.
                if fetched > 0 {
                    self.sync_all(now);
                }
            }
            Err(e) => {
                self.syncing.remove(&peer);
                warn!(%peer, "sync failed: {e}");
            }
        }
    }
}
