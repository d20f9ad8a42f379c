//! Real `steunpuntd` processes for the benchmarks that measure from outside, over their
//! HTTP API, so the same commands measure any build of the daemon.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use steunpunt_api::{AddPeer, Client, Status, files};
use steunpunt_node::data_dir::{DataDir, InitOptions};

use crate::runtime::round;

/// The daemon next to this program, unless another is named.
pub(crate) fn binary(named: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    Ok(match named {
        Some(path) => path,
        None => std::env::current_exe()?.with_file_name("steunpuntd"),
    })
}

pub(crate) struct Daemon {
    child: Child,
    /// From starting the process to a serving API.
    pub(crate) started_in: Duration,
    pub(crate) api: Client,
    peer_id: String,
    listen: String,
    pub(crate) steunpunt: String,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    pub(crate) fn start(binary: &Path, dir: &Path) -> anyhow::Result<Self> {
        let _ = std::fs::remove_file(dir.join(files::API_ADDR));
        let log = std::fs::File::create(dir.join("steunpuntd.log"))?;
        let child = Command::new(binary)
            .arg("--data-dir")
            .arg(dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let started = Instant::now();
        let (api, status) = loop {
            // Ready once it also reports its TCP listen address.
            if let Ok(api) = Client::connect(dir)
                && let Ok(status) = api.status()
                && status.listen_addrs.iter().any(|a| a.contains("/tcp/"))
            {
                break (api, status);
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(300),
                "steunpuntd did not start; see {}",
                dir.join("steunpuntd.log").display()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let listen = status
            .listen_addrs
            .iter()
            .find(|s| s.contains("/tcp/"))
            .cloned()
            .unwrap_or_default();
        Ok(Self {
            child,
            started_in: started.elapsed(),
            api,
            peer_id: status.peer_id,
            listen,
            steunpunt: status.steunpunt_id.to_string(),
        })
    }

    pub(crate) fn peer_with(&self, other: &Daemon) -> anyhow::Result<()> {
        self.api.add_peer(&AddPeer {
            multiaddr: format!("{}/p2p/{}", other.listen, other.peer_id),
            steunpunt: other.steunpunt.clone(),
            label: "bench".into(),
        })?;
        Ok(())
    }

    /// Resident memory now and at its highest, in MB (from `/proc`).
    pub(crate) fn memory_mb(&self) -> anyhow::Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| -> anyhow::Result<f64> {
            let kb: f64 = status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kb| kb.parse().ok())
                .with_context(|| format!("no {name} in /proc/…/status"))?;
            Ok(round(kb / 1024.0))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// Milliseconds one `/v1/status` takes.
    pub(crate) fn time_status(&self) -> anyhow::Result<(f64, Status)> {
        let started = Instant::now();
        let status = self.api.status()?;
        Ok((started.elapsed().as_secs_f64() * 1000.0, status))
    }
}

/// A new data directory for steunpunt `name`, listening on loopback ports of the system's
/// choosing.
pub(crate) fn init(dir: &Path, name: &str) -> anyhow::Result<DataDir> {
    let data_dir = DataDir::resolve(Some(dir.to_path_buf()))?;
    data_dir.init(InitOptions {
        name: name.into(),
        municipalities: vec!["Breda".into()],
        listen: vec!["/ip4/127.0.0.1/tcp/0".into()],
        api: Some("127.0.0.1:0".into()),
    })?;
    Ok(data_dir)
}

/// Bytes of the files under `path`, at any depth.
pub(crate) fn disk_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => disk_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// The `steunpuntd` built beside this test (the workspace's tests build it).
#[cfg(test)]
pub(crate) fn beside_tests() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("steunpuntd"))
        .unwrap_or_default();
    assert!(
        path.exists(),
        "{} is missing: build the workspace first (cargo build)",
        path.display()
    );
    path
}
