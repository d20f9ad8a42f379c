//! Starting and stopping a node: open the data directory, the store and the engine, keep
//! the profile in step with `config.toml`, start the swarm and the API, write `api.addr`
//! and `api.token`, and on shutdown stop both and flush the store.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use libp2p::{Multiaddr, PeerId};
use prometheus_client::registry::Registry;
use steunpunt_protocol::body::Profile;
use steunpunt_protocol::{SteunpuntId, SteunpuntKey};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tracing::{Instrument as _, info, info_span, warn};

use crate::actor::{self, Action, NodeHandle, Owner};
use crate::api::{ApiState, EngineCollector, router};
use crate::clock::now;
use crate::config::{Config, ConfigError};
use crate::data_dir::{DataDir, DataDirError, open_to_others, write_private};
use crate::network::{Behaviour, Client, EventLoop, build_behaviour};
use crate::replication::{Engine, EngineConfig, EngineError, Policy, Replicator};
use crate::search::{SearchError, SearchIndex};
use crate::store::{SledStore, StoreError};

/// Settings given on the command line or in the environment; they win over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// libp2p listen addresses.
    pub listen: Vec<String>,
    /// API address.
    pub api: Option<String>,
    /// Public site address; turns the site on.
    pub public: Option<String>,
}

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory.
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    /// The configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The record store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The record store is damaged; the message says what was lost and how to recover.
    #[error("{0}")]
    DamagedStore(String),
    /// The search index.
    #[error("cannot open the search index: {0}")]
    Search(#[from] SearchError),
    /// Publishing our profile or peering record at start.
    #[error("cannot publish this steunpunt's profile or peering record: {0}")]
    Profile(#[from] EngineError),
    /// A port is taken.
    #[error(
        "{what} address {addr} is already in use; stop the program using it or choose another address in config.toml"
    )]
    InUse {
        /// Which listener.
        what: &'static str,
        /// The address.
        addr: String,
    },
    /// Networking could not be set up.
    #[error("cannot start networking: {0}")]
    Network(String),
    /// The public site's settings.
    #[error(transparent)]
    Site(#[from] crate::public::SiteError),
    /// Anything else.
    #[error("cannot {action}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Why.
        source: std::io::Error,
    },
}

/// A running node.
pub struct RunningNode {
    /// Our steunpunt.
    pub steunpunt_id: SteunpuntId,
    /// Our node's PeerId.
    pub peer_id: PeerId,
    /// Where the API listens.
    pub api_addr: SocketAddr,
    /// Where the public site listens, when it is on.
    pub public_addr: Option<SocketAddr>,
    /// The API's bearer token.
    pub token: String,
    /// The network.
    pub client: Client,
    /// The node's records: changes through the owner, reads straight from the store.
    pub handle: NodeHandle,
    /// The search index.
    pub search: SearchIndex,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    owner: Owner,
    data_dir: DataDir,
}

impl RunningNode {
    /// Stops the API and the network, then the owner (which flushes the store and
    /// commits the search index), and removes `api.addr`.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        let (done, stopped) = oneshot::channel();
        if self.handle.send(Action::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
        drop(self.handle);
        self.owner.join().await;
        let _ = std::fs::remove_file(self.data_dir.api_addr_path());
        let _ = std::fs::remove_file(self.data_dir.public_addr_path());
        info!("stopped");
    }
}

/// The profile `config.toml` describes; the engine adds the node ids and keeps the
/// postal address.
fn configured_profile(config: &Config) -> Profile {
    let s = &config.steunpunt;
    Profile {
        name: s.name.clone(),
        municipalities: s.municipalities.clone(),
        region: s.region.clone(),
        address: None,
        website: s.website.clone(),
        email: s.email.clone(),
        phone: s.phone.clone(),
        description: s.description.clone(),
        nodes: Vec::new(),
    }
}

fn in_use(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::AddrInUse
}

/// Listens on `addr` for the HTTP listener `what`; a taken port says which.
async fn bind(addr: SocketAddr, what: &'static str) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if in_use(&e) {
            StartError::InUse {
                what,
                addr: addr.to_string(),
            }
        } else {
            StartError::Io {
                action: "open an HTTP address",
                source: e,
            }
        }
    })
}

/// A damaged store is refused with what was lost and the way back: the neighbours
/// hold a copy of every record, ours included.
fn damaged_store(e: StoreError, data_dir: &DataDir, me: &SteunpuntId) -> StartError {
    let what = match &e {
        StoreError::Shrunk(shrinkage) => {
            let own = me.to_string();
            let mut lines = vec![format!(
                "the store in {} is damaged: {}.",
                data_dir.db_path().display(),
                shrinkage.lost()
            )];
            for m in &shrinkage.missing {
                let whose = if m.author == own {
                    "this steunpunt's own".to_owned()
                } else {
                    format!("{}'s", m.author)
                };
                lines.push(format!(
                    "  {} of {whose} {} records are missing ({} of {} left)",
                    m.expected.saturating_sub(m.found),
                    m.kind,
                    m.found,
                    m.expected
                ));
            }
            lines.join("\n")
        }
        StoreError::Corrupt(detail) => format!(
            "the store in {} is damaged: its storage engine reads corrupted data ({}).",
            data_dir.db_path().display(),
            detail.trim_end_matches(" backtrace ()")
        ),
        StoreError::Damaged { reason, .. } => format!(
            "the store in {} is damaged: a stored record cannot be read ({reason}).",
            data_dir.db_path().display()
        ),
        _ => return StartError::Store(e),
    };
    let dir = data_dir.root().display();
    StartError::DamagedStore(format!(
        "{what}\nNothing was changed. The neighbours hold a copy of every record, this \
         steunpunt's own included. To take them back, set the damaged store aside and \
         start again:\n  steunpuntd --data-dir {dir} restore-from-region\n  \
         steunpuntd --data-dir {dir}"
    ))
}

/// Starts a node on `data_dir`.
pub async fn start(data_dir: DataDir, overrides: Overrides) -> Result<RunningNode, StartError> {
    let opened = data_dir.open()?;
    let config = with_overrides(opened.config, overrides)?;
    let logo = if config.public.enabled {
        crate::public::read_logo(&config.public, data_dir.root())?
    } else {
        None
    };
    let steunpunt_id = opened.steunpunt_key.id();
    let peer_id = opened.node_key.public().to_peer_id();
    // Not entered across awaits (that would mislabel other tasks' logs): synchronous
    // start-up work runs in the span, and the spawned tasks are instrumented with it.
    let span = info_span!("node", id = %steunpunt_id.short());

    let (search, engine) =
        span.in_scope(|| open_engine(&data_dir, &config, opened.steunpunt_key, &steunpunt_id))?;
    let reader = engine.store().clone();
    let policy = policy(&config);
    let mut seed = [0u8; 8];
    getrandom::fill(&mut seed).map_err(|e| StartError::Io {
        action: "seed the replicator",
        source: std::io::Error::other(e.to_string()),
    })?;
    let mut replicator = Replicator::new(engine, policy, u64::from_le_bytes(seed));
    // Published before the swarm runs (the gossip waits for the first peer, sync
    // delivers it regardless), unless this is a restore into an empty store: then our
    // own records come back from the neighbours first (`Replicator::begin`).
    let has_neighbours = !opened.peers.is_empty();
    span.in_scope(|| {
        replicator.begin(
            configured_profile(&config),
            &peer_id.to_string(),
            has_neighbours,
            now(),
        )
    })?;

    let mut registry = Registry::default();
    let swarm = swarm(opened.node_key, &config, &mut registry)?;
    let metrics = libp2p::metrics::Metrics::new(&mut registry);

    let api_addr = config.api_addr()?;
    let listener = bind(api_addr, "API").await?;
    let api_addr = listener.local_addr().map_err(|source| StartError::Io {
        action: "read the API address",
        source,
    })?;
    let public_listener = public_listener(&config, &data_dir, api_addr).await?;
    let token = api_token(&data_dir)?;
    write_private(&data_dir.api_addr_path(), api_addr.to_string().as_bytes())?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    let (owner_link, swarm_link) = actor::links();
    // The saved neighbours are dialled as soon as the swarm task runs.
    let saved = opened
        .peers
        .into_iter()
        .filter_map(|e| Some((e.peer_id()?, e.multiaddr, e.steunpunt, e.label)))
        .collect();
    replicator
        .restore_neighbours(saved, now())
        .map_err(StartError::Profile)?;
    let (handle, owner) = actor::spawn(
        replicator,
        reader,
        Some(data_dir.clone()),
        owner_link,
        span.clone(),
    )
    .map_err(|source| StartError::Io {
        action: "start the record keeper",
        source,
    })?;
    registry.register_collector(Box::new(EngineCollector(handle.clone())));
    let (event_loop, client) =
        EventLoop::new(swarm, swarm_link, Some(metrics), shutdown_rx.clone());
    let network_task = tokio::spawn(event_loop.run().instrument(span.clone()));

    let state = ApiState {
        handle: handle.clone(),
        client: client.clone(),
        token: Arc::from(token.as_str()),
        registry: Arc::new(registry),
        search: search.clone(),
        data_dir: data_dir.root().to_owned(),
        api_addr,
        allow_remote: config.api.allow_remote,
        searching: Arc::new(tokio::sync::Semaphore::new(crate::api::searches_at_once())),
    };
    let mut tasks = Vec::new();
    let mut public_addr = None;
    if let Some(listener) = public_listener {
        let (addr, task) = span.in_scope(|| {
            start_public_site(
                &config,
                &data_dir,
                listener,
                &handle,
                &search,
                logo,
                &shutdown_rx,
            )
        })?;
        tasks.push(task);
        public_addr = Some(addr);
    }
    let api_shutdown = shutdown_rx;
    let api_task = tokio::spawn(
        async move {
            crate::api::serve::serve(listener, router(state), api_shutdown).await;
        }
        .instrument(span.clone()),
    );
    span.in_scope(|| info!(%peer_id, api = %api_addr, "steunpuntd running"));
    Ok(RunningNode {
        steunpunt_id,
        peer_id,
        api_addr,
        public_addr,
        token,
        client,
        handle,
        search,
        shutdown,
        tasks: {
            tasks.extend([network_task, api_task]);
            tasks
        },
        owner,
        data_dir,
    })
}

/// `config.toml` with what was given on the command line, checked.
fn with_overrides(mut config: Config, overrides: Overrides) -> Result<Config, StartError> {
    if !overrides.listen.is_empty() {
        config.network.listen = overrides.listen;
    }
    if let Some(api) = overrides.api {
        config.api.listen = api;
    }
    if let Some(public) = overrides.public {
        config.public.listen = public;
        config.public.enabled = true;
    }
    config.check()?;
    Ok(config)
}

/// The store, the engine over it and the search index: the engine loads the store once,
/// and the search index is built in the same pass.
fn open_engine(
    data_dir: &DataDir,
    config: &Config,
    key: SteunpuntKey,
    steunpunt_id: &SteunpuntId,
) -> Result<(SearchIndex, Engine<SledStore>), StartError> {
    let damaged = |e: StoreError| damaged_store(e, data_dir, steunpunt_id);
    let reserve = config.store.reserve_mb.saturating_mul(1 << 20);
    let store = SledStore::open_with_reserve(&data_dir.db_path(), reserve).map_err(damaged)?;
    let engine_config = EngineConfig {
        trust_hops: config.trust.hops,
        ..EngineConfig::default()
    };
    let opening = SearchIndex::open(Some(&data_dir.search_path()))?;
    let engine = Engine::open_observed(store, key, engine_config, now(), Some(opening.observer()))
        .map_err(damaged)?;
    let (search, _) = opening.finish(&engine)?;
    Ok((search, engine))
}

/// The replication policy `config.toml` asks for; an interval shorter than a neighbour
/// accepts is said once at start (the replicator keeps to the neighbour's limit).
fn policy(config: &Config) -> Policy {
    let gap_secs = crate::replication::sync::MIN_OPEN_GAP_MS / 1000;
    if config.sync.interval_secs < gap_secs {
        warn!(
            "sync.interval_secs = {} in config.toml: a node syncs with one neighbour at most \
             once every {gap_secs} seconds (more would look like a flood to the neighbour), \
             so syncs come every {gap_secs} seconds",
            config.sync.interval_secs
        );
    }
    Policy {
        sync_interval_ms: config.sync.interval_secs.saturating_mul(1000),
        max_concurrent_syncs: config.sync.max_concurrent,
        ..Policy::default()
    }
}

/// The swarm on TCP and QUIC with the node's behaviour, listening where `config.toml`
/// says; its metrics go into `registry`.
fn swarm(
    node_key: libp2p::identity::Keypair,
    config: &Config,
    registry: &mut Registry,
) -> Result<libp2p::Swarm<Behaviour>, StartError> {
    let network_error = |e: &dyn std::fmt::Display| StartError::Network(e.to_string());
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(node_key)
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .map_err(|e| network_error(&e))?
        .with_quic()
        .with_dns()
        .map_err(|e| network_error(&e))?
        .with_bandwidth_metrics(registry)
        .with_behaviour(|key| {
            build_behaviour(key, &config.network, Some(&mut *registry))
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
        .map_err(|e| network_error(&e))?
        .with_swarm_config(|c| {
            c.with_idle_connection_timeout(Duration::from_secs(config.network.idle_timeout_secs))
        })
        .build();
    for addr in &config.network.listen {
        let multiaddr: Multiaddr = addr.parse().map_err(|e| network_error(&e))?;
        swarm.listen_on(multiaddr).map_err(|e| match e {
            libp2p::TransportError::Other(ref io) if in_use(io) => StartError::InUse {
                what: "network",
                addr: addr.clone(),
            },
            other => network_error(&other),
        })?;
    }
    Ok(swarm)
}

/// The public site's listener when the site is on (never on the API's address); when it
/// is off, a `public.addr` of an earlier run is removed.
async fn public_listener(
    config: &Config,
    data_dir: &DataDir,
    api_addr: SocketAddr,
) -> Result<Option<tokio::net::TcpListener>, StartError> {
    if config.public.enabled {
        let addr: SocketAddr = config
            .public
            .listen
            .parse()
            .map_err(|_| ConfigError::Invalid {
                field: "public.listen",
                problem: "is not an address".into(),
            })?;
        let listener = bind(addr, "public site").await?;
        if listener.local_addr().ok() == Some(api_addr) {
            return Err(StartError::Config(ConfigError::Invalid {
                field: "public.listen",
                problem: "is the API's address; the public site needs one of its own".into(),
            }));
        }
        Ok(Some(listener))
    } else {
        let _ = std::fs::remove_file(data_dir.public_addr_path());
        Ok(None)
    }
}

/// The API token: the one in the data directory, or a new one when there is none or
/// other users could read it (then it may have been read, so it is replaced).
fn api_token(data_dir: &DataDir) -> Result<String, StartError> {
    // A token other users could read may have been read: it is replaced, not kept.
    let token_path = data_dir.api_token_path();
    let exposed = open_to_others(&token_path);
    if let Some(mode) = exposed {
        warn!(
            "{} was readable by other users (mode {mode:o}); it is replaced by a new token, readable by this user only",
            token_path.display()
        );
    }
    Ok(match std::fs::read_to_string(&token_path) {
        Ok(token) if token.trim().len() >= 32 && exposed.is_none() => token.trim().to_owned(),
        _ => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| StartError::Io {
                action: "make an API token",
                source: std::io::Error::other(e.to_string()),
            })?;
            let token = data_encoding::HEXLOWER.encode(&bytes);
            write_private(&data_dir.api_token_path(), token.as_bytes())?;
            token
        }
    })
}

/// Serves the public site on `listener` and writes `public.addr`: its address and task.
/// Called inside the node's span, which the task carries on.
fn start_public_site(
    config: &Config,
    data_dir: &DataDir,
    listener: tokio::net::TcpListener,
    handle: &NodeHandle,
    search: &SearchIndex,
    logo: Option<crate::public::Logo>,
    shutdown: &watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), StartError> {
    let addr = listener.local_addr().map_err(|source| StartError::Io {
        action: "read the public site's address",
        source,
    })?;
    let site = crate::public::Site::new(
        &config.public,
        &config.steunpunt.name,
        handle.clone(),
        search.clone(),
        logo,
        addr,
    );
    std::fs::write(data_dir.public_addr_path(), addr.to_string()).map_err(|source| {
        StartError::Io {
            action: "write public.addr",
            source,
        }
    })?;
    let site_shutdown = shutdown.clone();
    let task = tokio::spawn(
        crate::public::serve(listener, site, site_shutdown).instrument(tracing::Span::current()),
    );
    info!(public = %addr, "public site running");
    Ok((addr, task))
}
