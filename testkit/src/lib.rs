//! What the tests share: nodes started in this process ([`InProcess`]) or as real
//! `steunpuntd` processes ([`Daemon`]), both driven through the typed API client the CLI
//! uses, sample drafts, and [`eventually`] / [`eventually_async`] for what replication
//! makes true after a while. Tests fail by panicking, so this crate panics too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
pub use steunpunt_api::{self as api, Client, ClientError, Draft};
use steunpunt_api::{AddPeer, files};
use steunpunt_node::daemon::{Overrides, RunningNode, start};
use steunpunt_node::data_dir::{DataDir, InitOptions};

/// How long [`eventually`] waits before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Waits until `check` holds (polling every 20 ms) and returns how long that took; fails
/// the test after [`PATIENCE`].
pub fn eventually(what: &str, check: impl FnMut() -> bool) -> Duration {
    eventually_within(what, PATIENCE, Duration::from_millis(20), check)
}

/// [`eventually`] with its own patience, polling every `every` (for checks that start
/// processes, or for what real network timeouts delay).
pub fn eventually_within(
    what: &str,
    patience: Duration,
    every: Duration,
    mut check: impl FnMut() -> bool,
) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < patience,
            "timed out after {patience:?} waiting for {what}"
        );
        std::thread::sleep(every);
    }
    started.elapsed()
}

/// [`eventually`] for async checks.
pub async fn eventually_async<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < PATIENCE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

/// Where Debian and Ubuntu put libfaketime.
const LIBFAKETIME: [&str; 3] = [
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
];

/// The environment that puts a process's wall clock `offset` ahead (`+300` seconds,
/// `+4d`) with libfaketime; monotonic time, which timers use, stays true. `None` when
/// libfaketime is not installed (the `faketime` package).
pub fn clock_ahead(offset: &'static str) -> Option<[(&'static str, &'static str); 4]> {
    let library = LIBFAKETIME.into_iter().find(|p| Path::new(p).exists())?;
    Some([
        ("LD_PRELOAD", library),
        ("FAKETIME", offset),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ("FAKETIME_NO_CACHE", "1"),
    ])
}

/// Every file under `root` (recursively) whose bytes contain `marker`.
pub fn files_containing(root: &Path, marker: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path)
            && holds(&bytes, marker)
        {
            found.push(path);
        }
    }
    found
}

/// A valid vacancy draft.
pub fn vacancy(title: &str, municipality: &str, pc4: &str) -> Draft {
    draft(json!({
        "title": title,
        "description": "Help mee in de buurt.",
        "organisation": { "name": "Buurthuis" },
        "categories": ["buurt-wonen"],
        "engagement": "structureel",
        "location": { "municipality": municipality, "pc4": pc4 },
        "contact": { "email": "info@buurthuis.nl" },
    }))
}

/// The vacancies of `author` (a steunpunt ID) that the node behind `api` serves, every
/// page of them.
pub fn vacancies_of(api: &Client, author: &str) -> Vec<steunpunt_api::RecordView> {
    api.records_where(
        steunpunt_protocol::Kind::Vacancy,
        &steunpunt_api::ListQuery {
            author: Some(author.to_owned()),
            ..steunpunt_api::ListQuery::default()
        },
        |_| true,
    )
    .unwrap()
}

/// Their titles.
pub fn titles_of(api: &Client, author: &str) -> Vec<String> {
    vacancies_of(api, author)
        .iter()
        .filter_map(|r| r.title().map(str::to_owned))
        .collect()
}

/// The value of the metric `name` (a counter's or a gauge's) that the node serves.
pub fn metric(api: &Client, name: &str) -> Option<u64> {
    let text = ureq::get(&format!("{}/metrics", api.base()))
        .call()
        .ok()?
        .body_mut()
        .read_to_string()
        .ok()?;
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
}

/// A draft from a JSON object.
pub fn draft(value: serde_json::Value) -> Draft {
    match value {
        serde_json::Value::Object(fields) => fields,
        other => panic!("a draft is a JSON object, not {other}"),
    }
}

/// The node address a neighbour dials: the first listen address plus `/p2p/PEER_ID`.
/// Waits for the node to report a listen address: right after start it may not have one.
pub fn address(client: &Client) -> String {
    let mut found = None;
    eventually("a listen address", || {
        let status = client.status().unwrap();
        found = status
            .listen_addrs
            .first()
            .map(|a| format!("{a}/p2p/{}", status.peer_id));
        found.is_some()
    });
    found.unwrap_or_default()
}

/// Makes `a` peer with `b` (one direction), labelled with `label`.
pub fn peer_with(a: &Client, b: &Client, label: &str) {
    let steunpunt = b.status().unwrap().steunpunt_id;
    a.add_peer(&AddPeer {
        multiaddr: address(b),
        steunpunt: steunpunt.to_string(),
        label: label.to_owned(),
    })
    .unwrap();
}

/// Peers `a` and `b` both ways.
pub fn peer_both(a: &Client, b: &Client) {
    peer_with(a, b, "buren");
    peer_with(b, a, "buren");
}

/// `steunpuntd` beside another binary of the workspace (the CLI's tests know only their
/// own binary's path).
pub fn steunpuntd_beside(binary: &str) -> PathBuf {
    let path = Path::new(binary).with_file_name("steunpuntd");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`, or `cargo build -p steunpunt-node` first",
        path.display()
    );
    path
}

/// Creates a steunpunt in `root/NAME` with `steunpuntd init`, listening on loopback on
/// ports the system picks.
pub fn init(steunpuntd: &Path, root: &Path, name: &str, municipality: &str) -> PathBuf {
    let dir = root.join(name.to_lowercase().replace(' ', "-"));
    init_at(steunpuntd, &dir, name, municipality, "/ip4/127.0.0.1/tcp/0");
    dir
}

/// Creates a steunpunt in `dir` with `steunpuntd init`, its nodes listening on `listen`
/// and its API on a loopback port the system picks; what `init --json` reported.
pub fn init_at(
    steunpuntd: &Path,
    dir: &Path,
    name: &str,
    municipality: &str,
    listen: &str,
) -> serde_json::Value {
    let out = run_on(
        steunpuntd,
        dir,
        &[
            "init",
            "--name",
            name,
            "--municipality",
            municipality,
            "--listen",
            listen,
            "--api",
            "127.0.0.1:0",
            "--json",
        ],
    );
    serde_json::from_slice(&out).unwrap()
}

/// Runs `binary --data-dir DIR ARGS` (`steunpuntd` or `steunpunt`), fails the test with its
/// error output unless it succeeds, and returns its standard output.
pub fn run_on(binary: &Path, dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(binary)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        binary.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The address of the public site of the node on `dir` (`http://…`), once it listens.
pub fn public_site(dir: &Path) -> String {
    let mut addr = String::new();
    eventually("public.addr", || {
        addr = std::fs::read_to_string(dir.join(files::PUBLIC_ADDR)).unwrap_or_default();
        !addr.is_empty()
    });
    format!("http://{}", addr.trim())
}

/// Whether `bytes` hold `marker` anywhere.
pub fn holds(bytes: &[u8], marker: &str) -> bool {
    bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
}

/// A `steunpuntd` process; killed when dropped. Its log is `DIR.log`.
pub struct Daemon {
    /// Its data directory.
    pub dir: PathBuf,
    /// Its API.
    pub api: Client,
    child: Option<Child>,
}

impl Daemon {
    /// Starts `steunpuntd` on `dir` and waits until its API answers.
    pub fn start(steunpuntd: &Path, dir: &Path) -> Self {
        Self::try_start(steunpuntd, dir)
            .unwrap_or_else(|log| panic!("steunpuntd did not start:\n{log}"))
    }

    /// Starts `steunpuntd` on `dir` and waits until its API answers, or until it exits:
    /// then its log is the error.
    pub fn try_start(steunpuntd: &Path, dir: &Path) -> Result<Self, String> {
        Self::try_start_with_env(steunpuntd, dir, &[])
    }

    /// [`Daemon::start`] with extra environment variables (for example a clock set
    /// ahead with libfaketime).
    pub fn start_with_env(steunpuntd: &Path, dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::try_start_with_env(steunpuntd, dir, env)
            .unwrap_or_else(|log| panic!("steunpuntd did not start:\n{log}"))
    }

    fn try_start_with_env(
        steunpuntd: &Path,
        dir: &Path,
        env: &[(&str, &str)],
    ) -> Result<Self, String> {
        let _ = std::fs::remove_file(dir.join(files::API_ADDR));
        let log_path = dir.with_extension("log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = Command::new(steunpuntd)
            .arg("--data-dir")
            .arg(dir)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let started = Instant::now();
        let api = loop {
            if let Ok(client) = Client::connect(dir)
                && client.status().is_ok()
            {
                break client;
            }
            if child.try_wait().unwrap().is_some() {
                return Err(std::fs::read_to_string(&log_path).unwrap_or_default());
            }
            assert!(
                started.elapsed() < PATIENCE,
                "steunpuntd did not start: see {}",
                log_path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Ok(Self {
            dir: dir.to_owned(),
            api,
            child: Some(child),
        })
    }

    /// Sends SIGTERM and checks that the node stops cleanly and removes `api.addr`.
    pub fn stop(&mut self) {
        self.stop_within(PATIENCE);
    }

    /// [`Daemon::stop`], failing the test if the node is still running `patience` after
    /// SIGTERM; returns how long it took.
    pub fn stop_within(&mut self, patience: Duration) -> Duration {
        stop_child(self.child.take().unwrap(), &self.dir, "-TERM", patience)
    }

    /// Kills the node with SIGKILL, as a power cut or the out-of-memory killer would.
    pub fn kill_9(&mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

/// Sends `signal` (as `kill` takes it: `-TERM`, `-INT`) to the `steunpuntd` of `dir` and
/// checks that it stops cleanly and removes `api.addr`.
pub fn stop_cleanly(child: Child, dir: &Path, signal: &str) {
    stop_child(child, dir, signal, PATIENCE);
}

fn stop_child(mut child: Child, dir: &Path, signal: &str, patience: Duration) -> Duration {
    let started = Instant::now();
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if started.elapsed() > patience {
            let _ = child.kill();
            panic!("steunpuntd was still running {patience:?} after {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "steunpuntd did not stop cleanly: {exit:?}");
    assert!(
        !dir.join(files::API_ADDR).exists(),
        "api.addr is removed at shutdown"
    );
    started.elapsed()
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A node running in this process, on loopback, with its typed API client.
pub struct InProcess {
    /// The running node.
    pub node: RunningNode,
    /// Its data directory.
    pub dir: DataDir,
    /// Its API.
    pub api: Client,
}

impl InProcess {
    /// Creates the steunpunt `Steunpunt NAME` in `root/NAME` (unless it exists) and starts it.
    pub async fn start(root: &Path, name: &str) -> Self {
        let dir = DataDir::resolve(Some(root.join(name))).unwrap();
        if !dir.config_path().exists() {
            dir.init(InitOptions {
                name: format!("Steunpunt {name}"),
                municipalities: vec![name.to_owned()],
                listen: vec!["/ip4/127.0.0.1/tcp/0".into()],
                api: Some("127.0.0.1:0".into()),
            })
            .unwrap();
        }
        let node = start(dir.clone(), Overrides::default()).await.unwrap();
        let api = Client::new(&node.api_addr.to_string(), &node.token, dir.root());
        Self { node, dir, api }
    }

    /// Runs a call of the blocking client on a blocking thread, so that the node (on this
    /// same runtime) can answer it.
    pub async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Client) -> T + Send + 'static,
    ) -> T {
        let api = self.api.clone();
        tokio::task::spawn_blocking(move || work(&api))
            .await
            .unwrap()
    }

    /// Stops the node as a clean shutdown does.
    pub async fn stop(self) {
        self.node.shutdown().await;
    }
}
