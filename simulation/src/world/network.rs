//! The virtual network: links and partitions, dials, gossip forwarding and requests
//! with their timeout, carried the way libp2p carries them.

use std::sync::Arc;

use rand::Rng;
use steunpunt_node::replication::{Input, Output, Verdict};
use steunpunt_protocol::sync::{SyncRequest, SyncResponse};

use super::*;

pub(super) enum Msg {
    Gossip(Arc<[u8]>),
    Request { request: u64, bytes: Vec<u8> },
    Response { request: u64, bytes: Vec<u8> },
}

pub(super) fn link(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

pub(super) fn clone_msg(msg: &Msg) -> Msg {
    match msg {
        Msg::Gossip(b) => Msg::Gossip(Arc::clone(b)),
        Msg::Request { request, bytes } => Msg::Request {
            request: *request,
            bytes: bytes.clone(),
        },
        Msg::Response { request, bytes } => Msg::Response {
            request: *request,
            bytes: bytes.clone(),
        },
    }
}

impl World {
    pub(crate) fn up(&self, node: usize) -> bool {
        self.nodes[node].rep.is_some()
    }

    pub(crate) fn linked(&self, a: usize, b: usize) -> bool {
        self.links.contains(&link(a, b))
    }

    pub(super) fn linked_peers(&self, node: usize) -> Vec<usize> {
        self.links
            .iter()
            .filter_map(|&(a, b)| {
                if a == node {
                    Some(b)
                } else if b == node {
                    Some(a)
                } else {
                    None
                }
            })
            .collect()
    }

    fn allows(&self, node: usize, peer: usize) -> bool {
        self.nodes[node]
            .rep
            .as_ref()
            .is_some_and(|r| r.allowed().contains_key(&SimPeer(peer)))
    }

    pub(super) fn send(&mut self, from: usize, to: usize, msg: Msg) {
        self.messages += 1;
        if self.faults && self.rng.random_bool(self.config.drop_rate) {
            self.trace(&[self.now, 1, from as u64, to as u64]);
            return;
        }
        let copies = if self.faults && self.rng.random_bool(self.config.dup_rate) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let delay = self.rng.random_range(1..=self.config.max_delay_ms);
            let msg = clone_msg(&msg);
            self.schedule(self.now + delay, Event::Deliver { from, to, msg });
        }
    }

    /// Hands `input` to `node` now, after whatever is already waiting at this instant.
    pub(super) fn inject(&mut self, node: usize, input: Input<SimPeer>) {
        self.immediate.push_back((node, input));
    }

    /// Runs the replicators until nothing more happens at this instant.
    pub(super) fn pump(&mut self) {
        while let Some((node, input)) = self.immediate.pop_front() {
            let now = self.clock(node);
            let Some(rep) = self.nodes[node].rep.as_mut() else {
                continue;
            };
            rep.handle(input, now);
            self.carry_out(node);
        }
    }

    /// Carries out what `node`'s replicator asked for.
    pub(super) fn carry_out(&mut self, node: usize) {
        let outputs: Vec<Output<SimPeer>> = match self.nodes[node].rep.as_mut() {
            Some(rep) => rep.drain().collect(),
            None => return,
        };
        for output in outputs {
            match output {
                Output::Dial { peer, .. } => self.dial(node, peer.0),
                Output::Allow(_) => {}
                Output::Disallow(peer) => {
                    if self.links.remove(&link(node, peer.0)) {
                        self.inject(node, Input::Disconnected(peer));
                        self.inject(peer.0, Input::Disconnected(SimPeer(node)));
                    }
                }
                Output::Publish(bytes) => {
                    for peer in self.linked_peers(node) {
                        self.send(node, peer, Msg::Gossip(Arc::clone(&bytes)));
                    }
                }
                Output::Validated { id, from, verdict } => {
                    if let Some((_, bytes)) = self.nodes[node].gossip.remove(&id)
                        && verdict == Verdict::Accept
                    {
                        for peer in self.linked_peers(node) {
                            if peer != from.0 {
                                self.send(node, peer, Msg::Gossip(Arc::clone(&bytes)));
                            }
                        }
                    }
                }
                Output::Request {
                    peer,
                    request,
                    message,
                } => {
                    if !self.config.sync || !self.linked(node, peer.0) {
                        self.inject(node, Input::SyncFailed { request });
                    } else {
                        self.schedule_input(
                            REQUEST_TIMEOUT_MS,
                            node,
                            Input::SyncFailed { request },
                        );
                        let bytes = message.encode();
                        self.send(node, peer.0, Msg::Request { request, bytes });
                    }
                }
                Output::Respond { reply, message } => {
                    if let Some((asker, request)) = self.nodes[node].replies.remove(&reply)
                        && self.linked(node, asker)
                    {
                        let bytes = message.encode();
                        self.send(node, asker, Msg::Response { request, bytes });
                    }
                }
                Output::Schedule { after_ms, timer } => {
                    self.schedule_input(after_ms, node, Input::Timer(timer));
                }
            }
        }
    }

    /// A dial, as libp2p would see it: unreachable nodes time out; a node that does not
    /// allow us completes the handshake and closes the connection at once.
    pub(super) fn dial(&mut self, from: usize, to: usize) {
        self.dials.entry((from, to)).or_default().push(self.now);
        self.trace(&[self.now, 14, from as u64, to as u64]);
        if self.linked(from, to) {
            return;
        }
        let reachable = self.up(to) && self.nodes[from].group == self.nodes[to].group;
        if !reachable {
            let delay = self.rng.random_range(DIAL_TIMEOUT_MS / 2..=DIAL_TIMEOUT_MS);
            self.schedule_input(delay, from, Input::DialFailed(SimPeer(to)));
        } else if self.allows(to, from) {
            self.links.insert(link(from, to));
            self.inject(from, Input::Connected(SimPeer(to)));
            self.inject(to, Input::Connected(SimPeer(from)));
        } else {
            self.inject(from, Input::Connected(SimPeer(to)));
            self.inject(from, Input::Disconnected(SimPeer(to)));
            self.inject(to, Input::Refused(SimPeer(from)));
        }
    }

    pub(super) fn deliver(&mut self, from: usize, to: usize, msg: Msg) {
        // A message travels on a connection: none, no delivery.
        if !self.linked(from, to) {
            self.trace(&[self.now, 4, to as u64]);
            return;
        }
        self.nodes[to].next_handle += 1;
        let handle = self.nodes[to].next_handle;
        match msg {
            Msg::Gossip(bytes) => {
                self.nodes[to]
                    .gossip
                    .insert(handle, (from, Arc::clone(&bytes)));
                self.trace(&[self.now, 5, to as u64]);
                self.inject(
                    to,
                    Input::Gossip {
                        from: SimPeer(from),
                        id: handle,
                        bytes,
                    },
                );
            }
            Msg::Request { request, bytes } => {
                self.trace(&[self.now, 6, to as u64, request]);
                match SyncRequest::decode(&bytes) {
                    Ok(message) => {
                        self.nodes[to].replies.insert(handle, (from, request));
                        self.inject(
                            to,
                            Input::SyncRequest {
                                from: SimPeer(from),
                                reply: handle,
                                request: message,
                            },
                        );
                    }
                    Err(e) => {
                        let refused = SyncResponse::Refused {
                            reason: e.to_string(),
                        };
                        let bytes = refused.encode();
                        self.send(to, from, Msg::Response { request, bytes });
                    }
                }
            }
            Msg::Response { request, bytes } => {
                self.trace(&[self.now, 7, to as u64, request]);
                let input = match SyncResponse::decode(&bytes) {
                    Ok(response) => Input::SyncResponse { request, response },
                    Err(_) => Input::SyncFailed { request },
                };
                self.inject(to, input);
            }
        }
    }

    pub(super) fn partition(&mut self, lasting: bool) {
        for i in 0..self.nodes.len() {
            self.nodes[i].group = u8::from(self.rng.random_bool(0.5));
        }
        let cut: Vec<(usize, usize)> = self
            .links
            .iter()
            .filter(|(a, b)| self.nodes[*a].group != self.nodes[*b].group)
            .copied()
            .collect();
        for (a, b) in cut {
            self.links.remove(&(a, b));
            self.inject(a, Input::Disconnected(SimPeer(b)));
            self.inject(b, Input::Disconnected(SimPeer(a)));
        }
        self.pump();
        if !lasting {
            let heal = self.now + self.rng.random_range(20_000..=120_000);
            self.schedule(heal, Event::Heal);
        }
        self.trace(&[self.now, 11, u64::from(lasting)]);
    }

    pub(super) fn heal(&mut self) {
        for node in &mut self.nodes {
            node.group = 0;
        }
        self.trace(&[self.now, 12]);
    }

    /// Ends all faults: no more staff work, crashes or partitions; the network stops
    /// losing and duplicating; crashed nodes come back. What is in flight stays in flight,
    /// and the nodes' own timers go on.
    pub(super) fn heal_everything(&mut self) {
        self.faults = false;
        self.queue.retain(|_, e| {
            matches!(
                e,
                Event::Deliver { .. } | Event::Input { .. } | Event::Restart(_)
            )
        });
        self.heal();
        for node in 0..self.nodes.len() {
            self.restart(node);
        }
    }
}
