//! The one owner of the engine and the search index: a thread of its own running the
//! [`Replicator`], in the shape of iroh-docs' actor. Everything that changes records goes
//! through it: network inputs from the swarm task, and [`Action`]s from the API with a
//! oneshot for the reply. Its network outputs go back to the swarm task; its timers it
//! keeps itself.
//!
//! Reads do not pass through it: a [`NodeHandle`] reads records straight from the store
//! (sled serves concurrent readers) and the rest from a [`Summary`] the owner publishes
//! after every change, so a long export or a search never holds up replication, and
//! replication never holds up the API.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use libp2p::{Multiaddr, PeerId};
use steunpunt_protocol::{Kind, Record, RecordId, RecordKey, SteunpuntId, Timestamp, TrustSet};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tracing::{Instrument as _, Span, warn};

use crate::clock::now;
use crate::data_dir::{DataDir, DataDirError, PeerEntry};
use crate::replication::conduct::Offence;
use crate::replication::{
    AuthorTally, Counters, Draft, DraftOutcome, EngineError, HeldRecords, Input, Output,
    Replicator, SyncsStarted, Tally, Timer,
};
use crate::store::SledStore;

/// Capacity of the API's action channel.
pub const ACTION_CAPACITY: usize = 64;
/// Capacity of the channel of network inputs from the swarm task.
pub const INPUT_CAPACITY: usize = 1024;
/// Capacity of the channel of outputs to the swarm task.
pub const OUTPUT_CAPACITY: usize = 1024;
/// Longest wait between two summaries while the owner is busy.
const SUMMARY_EVERY: Duration = Duration::from_millis(100);

/// What the node knows about itself, published by the owner after every change.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Our steunpunt.
    pub me: SteunpuntId,
    /// Whom we trust, with distances and vouching paths.
    pub trust: TrustSet,
    /// Held records by kind.
    pub tally: Tally,
    /// What the engine did so far.
    pub counters: Counters,
    /// Nodes allowed to connect, with the steunpunt whose profile lists them.
    pub nodes: BTreeMap<PeerId, Option<SteunpuntId>>,
    /// The neighbours the admin peered with (what `peers.json` holds).
    pub neighbours: Vec<PeerEntry>,
    /// Whether our own records are still coming back from the neighbours after a restore.
    pub recovering: bool,
    /// Why writing to the store fails, while it does.
    pub writes_failing: Option<steunpunt_api::WriteFailure>,
    /// What we hold of each author.
    pub authors: BTreeMap<SteunpuntId, AuthorTally>,
    /// Nodes refused for misconduct: until when, and for what.
    pub bans: BTreeMap<PeerId, (Timestamp, Offence)>,
}

impl Summary {
    fn of(replicator: &Replicator<SledStore, PeerId>) -> Self {
        let engine = replicator.engine();
        Self {
            me: engine.me(),
            trust: engine.trust().clone(),
            tally: engine.tally().clone(),
            counters: engine.counters().clone(),
            nodes: replicator.allowed().clone(),
            neighbours: neighbours(replicator),
            recovering: replicator.recovering(),
            authors: engine.by_author().clone(),
            bans: replicator
                .bans()
                .map(|(peer, until, why)| (*peer, (until, why)))
                .collect(),
            writes_failing: engine.store_failing().map(|(disk_full, why)| {
                steunpunt_api::WriteFailure {
                    disk_full,
                    message: why.to_owned(),
                }
            }),
        }
    }
}

/// Why a change asked of the keeper failed; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The record could not be made or stored.
    #[error(transparent)]
    Publish(#[from] EngineError),
    /// The neighbour list could not be saved.
    #[error("cannot save the neighbour list: {0}")]
    Save(#[from] DataDirError),
}

fn neighbours(replicator: &Replicator<SledStore, PeerId>) -> Vec<PeerEntry> {
    replicator
        .neighbours()
        .into_iter()
        .map(|n| PeerEntry {
            multiaddr: n.addr,
            steunpunt: n.steunpunt,
            label: n.label,
        })
        .collect()
}

type Reply<T> = oneshot::Sender<Result<T, ChangeError>>;

/// What a peer command did.
#[derive(Debug, Clone)]
pub struct PeerChange {
    /// The new revision of our peering record.
    pub peering: Record,
    /// The address of the neighbour's node that `peer add` replaced, if any.
    pub replaced: Option<Multiaddr>,
}

/// A change asked for by the API.
pub enum Action {
    /// Publish a draft of one of our vacancies or organisations.
    Publish {
        /// The draft.
        draft: Box<Draft>,
        /// Check only.
        dry_run: bool,
        /// The answer.
        reply: Reply<(Record, DraftOutcome)>,
    },
    /// Withdraw one of our vacancies or organisations.
    Withdraw {
        /// Kind.
        kind: Kind,
        /// Id.
        id: RecordId,
        /// The answer.
        reply: Reply<Record>,
    },
    /// `peer add`: vouch for a neighbour, save it, dial it.
    AddPeer {
        /// The neighbour.
        entry: PeerEntry,
        /// The answer.
        reply: Reply<PeerChange>,
    },
    /// `peer remove`.
    RemovePeer {
        /// Its steunpunt.
        steunpunt: SteunpuntId,
        /// The answer.
        reply: Reply<PeerChange>,
    },
    /// `peer block`.
    BlockPeer {
        /// Its steunpunt.
        steunpunt: SteunpuntId,
        /// A label for people.
        label: String,
        /// The answer.
        reply: Reply<PeerChange>,
    },
    /// Sync with every connected peer now; the answer is how many started.
    SyncNow(oneshot::Sender<SyncsStarted>),
    /// Make our own latest changes searchable now (they would be within the flush
    /// interval): the answer comes once they are.
    MakeSearchable(oneshot::Sender<()>),
    /// Flush and stop.
    Stop(oneshot::Sender<()>),
}

/// Why the owner could not be reached.
#[derive(Debug, thiserror::Error)]
#[error("the node's record keeper has stopped")]
pub struct Stopped;

/// A cloneable handle on the node's records: changes go to the owner, reads go straight
/// to the store and the latest [`Summary`].
#[derive(Clone)]
pub struct NodeHandle {
    actions: mpsc::Sender<Action>,
    summary: watch::Receiver<Arc<Summary>>,
    store: SledStore,
    /// Set when one of our own changes may not be in the search index yet.
    own_unsearchable: Arc<AtomicBool>,
}

impl NodeHandle {
    async fn ask<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Action,
    ) -> Result<Result<T, ChangeError>, Stopped> {
        let (reply, answer) = oneshot::channel();
        self.actions.send(make(reply)).await.map_err(|_| Stopped)?;
        answer.await.map_err(|_| Stopped)
    }

    /// Publishes a draft (durable before it returns, unless `dry_run`).
    pub async fn publish(
        &self,
        draft: Draft,
        dry_run: bool,
    ) -> Result<Result<(Record, DraftOutcome), ChangeError>, Stopped> {
        self.ask(|reply| Action::Publish {
            draft: Box::new(draft),
            dry_run,
            reply,
        })
        .await
    }

    /// Withdraws one of our records (durable before it returns).
    pub async fn withdraw(
        &self,
        kind: Kind,
        id: RecordId,
    ) -> Result<Result<Record, ChangeError>, Stopped> {
        self.ask(|reply| Action::Withdraw { kind, id, reply }).await
    }

    /// `peer add`: vouches for the neighbour, saves it in `peers.json` and dials it; all
    /// or nothing.
    pub async fn add_peer(
        &self,
        entry: PeerEntry,
    ) -> Result<Result<PeerChange, ChangeError>, Stopped> {
        self.ask(|reply| Action::AddPeer { entry, reply }).await
    }

    /// `peer remove`: no longer vouches for the steunpunt nor dials its node.
    pub async fn remove_peer(
        &self,
        steunpunt: SteunpuntId,
    ) -> Result<Result<PeerChange, ChangeError>, Stopped> {
        self.ask(|reply| Action::RemovePeer { steunpunt, reply })
            .await
    }

    /// `peer block`: never trusts the steunpunt, not even through others.
    pub async fn block_peer(
        &self,
        steunpunt: SteunpuntId,
        label: String,
    ) -> Result<Result<PeerChange, ChangeError>, Stopped> {
        self.ask(|reply| Action::BlockPeer {
            steunpunt,
            label,
            reply,
        })
        .await
    }

    /// Sends an action to the owner.
    pub async fn send(&self, action: Action) -> Result<(), Stopped> {
        self.actions.send(action).await.map_err(|_| Stopped)
    }

    /// Starts a sync with every connected peer: how many started now, and how many
    /// within a few seconds (the last sync with that neighbour was too recent).
    pub async fn sync_now(&self) -> Result<SyncsStarted, Stopped> {
        let (reply, answer) = oneshot::channel();
        self.send(Action::SyncNow(reply)).await?;
        answer.await.map_err(|_| Stopped)
    }

    /// Waits until our own changes are searchable: staff who publish and then search
    /// find what they published. Costs nothing when they already are.
    pub async fn own_changes_searchable(&self) -> Result<(), Stopped> {
        if !self.own_unsearchable.load(Ordering::Acquire) {
            return Ok(());
        }
        let (reply, done) = oneshot::channel();
        self.actions
            .send(Action::MakeSearchable(reply))
            .await
            .map_err(|_| Stopped)?;
        done.await.map_err(|_| Stopped)
    }

    /// The latest summary.
    pub fn summary(&self) -> Arc<Summary> {
        Arc::clone(&self.summary.borrow())
    }

    /// The store, for reading records.
    pub fn store(&self) -> &SledStore {
        &self.store
    }

    /// Reads one held record.
    pub fn get(&self, key: &RecordKey) -> Result<Option<Record>, EngineError> {
        Ok(self.store.record(key)?)
    }
}

/// A [`NodeHandle`] with one summary held, so every read of a request sees the same trust.
pub struct View<'a> {
    handle: &'a NodeHandle,
    /// The summary read at the start.
    pub summary: Arc<Summary>,
}

impl<'a> View<'a> {
    /// Reads through `handle` with its current summary.
    pub fn new(handle: &'a NodeHandle) -> Self {
        Self {
            handle,
            summary: handle.summary(),
        }
    }
}

impl HeldRecords for View<'_> {
    fn record(&self, key: &RecordKey) -> Result<Option<Record>, EngineError> {
        self.handle.get(key)
    }
    fn trust(&self) -> &TrustSet {
        &self.summary.trust
    }
}

/// The owner's ends of the channels to the swarm task.
pub struct NetworkLink {
    /// Inputs from the swarm task.
    pub inputs: mpsc::Receiver<Input<PeerId>>,
    /// Outputs to the swarm task.
    pub outputs: mpsc::Sender<Output<PeerId>>,
}

/// The swarm task's ends.
pub struct SwarmLink {
    /// Inputs to the owner.
    pub inputs: mpsc::Sender<Input<PeerId>>,
    /// Outputs from the owner.
    pub outputs: mpsc::Receiver<Output<PeerId>>,
}

/// The two ends of the owner ↔ swarm task channels.
pub fn links() -> (NetworkLink, SwarmLink) {
    let (input_tx, input_rx) = mpsc::channel(INPUT_CAPACITY);
    let (output_tx, output_rx) = mpsc::channel(OUTPUT_CAPACITY);
    (
        NetworkLink {
            inputs: input_rx,
            outputs: output_tx,
        },
        SwarmLink {
            inputs: input_tx,
            outputs: output_rx,
        },
    )
}

/// The running owner thread.
pub struct Owner {
    thread: std::thread::JoinHandle<()>,
}

impl Owner {
    /// Waits for the thread to end (after [`Action::Stop`] or when every handle is gone).
    pub async fn join(self) {
        let thread = self.thread;
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
}

/// Starts the owner thread over `replicator`; `store` is a clone of the engine's store
/// for readers.
pub fn spawn(
    mut replicator: Replicator<SledStore, PeerId>,
    store: SledStore,
    data_dir: Option<DataDir>,
    network: NetworkLink,
    span: Span,
) -> Result<(NodeHandle, Owner), std::io::Error> {
    let (actions, actions_rx) = mpsc::channel(ACTION_CAPACITY);
    replicator.start();
    let (summary_tx, summary) = watch::channel(Arc::new(Summary::of(&replicator)));
    let own_unsearchable = Arc::new(AtomicBool::new(false));
    let unsearchable = Arc::clone(&own_unsearchable);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let thread = std::thread::Builder::new()
        .name("steunpunt-records".into())
        .spawn(move || {
            let owner = Loop {
                replicator,
                data_dir,
                actions: actions_rx,
                network,
                summary: summary_tx,
                timers: BTreeMap::new(),
                timer_seq: 0,
                summary_at: Instant::now(),
                changed: false,
                own_unsearchable: unsearchable,
            };
            runtime.block_on(owner.run().instrument(span));
        })?;
    Ok((
        NodeHandle {
            actions,
            summary,
            store,
            own_unsearchable,
        },
        Owner { thread },
    ))
}

struct Loop {
    replicator: Replicator<SledStore, PeerId>,
    data_dir: Option<DataDir>,
    actions: mpsc::Receiver<Action>,
    network: NetworkLink,
    summary: watch::Sender<Arc<Summary>>,
    timers: BTreeMap<(Instant, u64), Timer<PeerId>>,
    timer_seq: u64,
    summary_at: Instant,
    changed: bool,
    own_unsearchable: Arc<AtomicBool>,
}

impl Loop {
    async fn run(mut self) {
        // What the replicator asked for before the loop ran: its first timers, the dials
        // of the saved neighbours, the gossip of a changed profile.
        self.dispatch().await;
        let mut network_open = true;
        let stopped = loop {
            let next_timer = self.timers.keys().next().map(|(at, _)| *at);
            let idle = self.actions.is_empty() && self.network.inputs.is_empty();
            if self.changed && (idle || self.summary_at.elapsed() >= SUMMARY_EVERY) {
                self.publish_summary();
            }
            tokio::select! {
                action = self.actions.recv() => match action {
                    Some(Action::Stop(done)) => break Some(done),
                    Some(action) => self.on_action(action),
                    None => break None,
                },
                input = self.network.inputs.recv(), if network_open => match input {
                    Some(input) => self.replicator.handle(input, now()),
                    None => network_open = false,
                },
                () = sleep_until(next_timer) => {
                    let due: Vec<_> = self.timers.range(..=(Instant::now(), u64::MAX)).map(|(k, _)| *k).collect();
                    for key in due {
                        if let Some(timer) = self.timers.remove(&key) {
                            self.replicator.handle(Input::Timer(timer), now());
                        }
                    }
                }
            }
            self.changed = true;
            self.dispatch().await;
        };
        if let Err(e) = self.replicator.close() {
            warn!("flushing the store at shutdown failed: {e}");
        }
        self.publish_summary();
        if let Some(done) = stopped {
            let _ = done.send(());
        }
    }

    fn publish_summary(&mut self) {
        self.summary
            .send_replace(Arc::new(Summary::of(&self.replicator)));
        self.summary_at = Instant::now();
        self.changed = false;
    }

    /// Carries out what the replicator asked for: timers here, the rest in the swarm task.
    async fn dispatch(&mut self) {
        let outputs: Vec<Output<PeerId>> = self.replicator.drain().collect();
        for output in outputs {
            match output {
                Output::Schedule { after_ms, timer } => {
                    self.timer_seq += 1;
                    let at = Instant::now() + Duration::from_millis(after_ms);
                    self.timers.insert((at, self.timer_seq), timer);
                }
                other => {
                    // The swarm task always drains this channel; it is gone only at shutdown.
                    let _ = self.network.outputs.send(other).await;
                }
            }
        }
    }

    /// Changes the neighbour list all or nothing: `peers.json` is saved first, then
    /// `work` changes the peering record; if that fails, the old list is saved back.
    fn change_peers(
        &mut self,
        edit: impl FnOnce(&mut Vec<PeerEntry>),
        work: impl FnOnce(&mut Replicator<SledStore, PeerId>) -> Result<Record, EngineError>,
    ) -> Result<Record, ChangeError> {
        let before = neighbours(&self.replicator);
        let mut after = before.clone();
        edit(&mut after);
        if let Some(dir) = &self.data_dir {
            dir.save_peers(&after)?;
        }
        match work(&mut self.replicator) {
            Ok(record) => Ok(record),
            Err(e) => {
                if let Some(dir) = &self.data_dir
                    && let Err(restore) = dir.save_peers(&before)
                {
                    warn!("cannot restore the neighbour list after a failed change: {restore}");
                }
                Err(e.into())
            }
        }
    }

    fn on_action(&mut self, action: Action) {
        let now = now();
        match action {
            Action::Publish {
                draft,
                dry_run,
                reply,
            } => {
                let result = self.replicator.publish_draft(*draft, dry_run, now);
                if result.is_ok() && !dry_run {
                    self.own_unsearchable.store(true, Ordering::Release);
                }
                answer(
                    reply,
                    result.map_err(Into::into),
                    &mut self.summary,
                    &self.replicator,
                );
            }
            Action::Withdraw { kind, id, reply } => {
                let result = self.replicator.withdraw(kind, id, now);
                if result.is_ok() {
                    self.own_unsearchable.store(true, Ordering::Release);
                }
                answer(
                    reply,
                    result.map_err(Into::into),
                    &mut self.summary,
                    &self.replicator,
                );
            }
            Action::AddPeer { entry, reply } => {
                let steunpunt = entry.steunpunt;
                let replaced = self
                    .replicator
                    .neighbours()
                    .into_iter()
                    .find(|n| n.steunpunt == steunpunt && n.addr != entry.multiaddr)
                    .map(|n| n.addr);
                let result = match entry.peer_id() {
                    Some(peer) => {
                        let saved = entry.clone();
                        self.change_peers(
                            |list| {
                                list.retain(|p| p.steunpunt != steunpunt);
                                list.push(saved);
                            },
                            |r| r.peer_add(peer, entry.multiaddr, steunpunt, entry.label, now),
                        )
                    }
                    None => Err(ChangeError::Save(DataDirError::Peers {
                        path: "peers.json".into(),
                        problem: "the address names no node (/p2p/…)".into(),
                    })),
                };
                let result = result.map(|peering| PeerChange { peering, replaced });
                answer(reply, result, &mut self.summary, &self.replicator);
            }
            Action::RemovePeer { steunpunt, reply } => {
                let result = self.change_peers(
                    |list| list.retain(|p| p.steunpunt != steunpunt),
                    |r| r.peer_remove(steunpunt, now),
                );
                let result = result.map(|peering| PeerChange {
                    peering,
                    replaced: None,
                });
                answer(reply, result, &mut self.summary, &self.replicator);
            }
            Action::BlockPeer {
                steunpunt,
                label,
                reply,
            } => {
                let result = self.change_peers(
                    |list| list.retain(|p| p.steunpunt != steunpunt),
                    |r| r.peer_block(steunpunt, label, now),
                );
                let result = result.map(|peering| PeerChange {
                    peering,
                    replaced: None,
                });
                answer(reply, result, &mut self.summary, &self.replicator);
            }
            Action::SyncNow(reply) => {
                let _ = reply.send(self.replicator.sync_all(now));
            }
            Action::MakeSearchable(reply) => {
                if self.own_unsearchable.swap(false, Ordering::AcqRel)
                    && let Err(e) = self.replicator.flush()
                {
                    warn!("flushing for a search failed: {e}");
                }
                let _ = reply.send(());
            }
            // Handled by the loop itself, which stops after flushing.
            Action::Stop(_) => {}
        }
    }
}

/// Publishes the summary, then replies: whoever asked sees their change in the next read.
fn answer<T>(
    reply: Reply<T>,
    result: Result<T, ChangeError>,
    summary: &mut watch::Sender<Arc<Summary>>,
    replicator: &Replicator<SledStore, PeerId>,
) {
    // Also after a failure: a write that failed changes what status says.
    if result.is_ok() || replicator.engine().store_failing().is_some() {
        summary.send_replace(Arc::new(Summary::of(replicator)));
    }
    let _ = reply.send(result);
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
