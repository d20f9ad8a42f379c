//! Four hosts, each in its own network namespace with a real `steunpuntd`, driven by the
//! real `steunpunt` CLI through `ip netns exec`. The hosts hang on two bridges in a fifth
//! namespace, the switch: h1 and h2 on bridge A, h3 and h4 on bridge B, the bridges joined
//! by one veth pair, the trunk. Taking the trunk down splits the region 2|2; taking a
//! host's port down cuts that host off; `tc netem` on each host's link loses and delays
//! packets. The steunpunten are peered as a ring h1–h2–h3–h4–h1, so trust is transitive
//! and two ring edges cross the trunk.
//!
//! Needs root and `ip netns` (as `.ci/run` has); without them each test says why it
//! skipped and passes. The figures (times to converge) are printed and appended to
//! `target/tmp/multi-host.txt`, which `.ci/run` shows. `steunpuntd` and `steunpunt` must
//! be built beside this test, as `cargo test --workspace` does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use steunpunt_testkit::{eventually_within, init_at};

/// What every host must hold once the region has converged: (publishing steunpunt, id)
/// to the title of the acknowledged revision, or `None` once withdrawn.
type Ledger = BTreeMap<(String, String), Option<String>>;

/// What one host holds: (publishing steunpunt, id) to title.
type Holdings = BTreeMap<(String, String), String>;

const HOSTS: usize = 4;

/// How long the 2|2 partition is held: longer than every timeout of the node (ping
/// failures close a connection after 2 × 10 s, a sync request times out after 30 s, the
/// sync interval is 60 s, a sync run is given up after 120 s). `STEUNPUNT_PARTITION_SECS`
/// holds it longer, for example past the longest redial delay (300 s).
fn partition_hold() -> Duration {
    let secs = std::env::var("STEUNPUNT_PARTITION_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(130);
    Duration::from_secs(secs)
}

/// How long a converging region may take: a neighbour that stayed away is redialled at
/// most every 5 minutes, then a sync repairs everything.
const CONVERGE: Duration = Duration::from_secs(420);

/// A binary of the workspace beside this test's own (`target/debug/deps/..`).
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`, or `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn ip(args: &[&str]) {
    run("ip", args).unwrap();
}

/// A line of figures: printed, and kept in `target/tmp/multi-host.txt` for `.ci/run`.
fn report(line: &str) {
    println!("{line}");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("multi-host.txt");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{line}");
    }
}

/// The live part of a ledger, as a host lists it.
fn live(ledger: &Ledger) -> Holdings {
    ledger
        .iter()
        .filter_map(|(key, title)| Some((key.clone(), title.clone()?)))
        .collect()
}

/// One host: a network namespace with a data directory and a `steunpuntd` in it.
struct Host {
    name: String,
    ns: String,
    dir: PathBuf,
    steunpunt: String,
    daemon: Option<Child>,
}

impl Host {
    /// The CLI as staff run it (Dutch), inside this host's namespace.
    fn cli(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.ns])
            .arg(binary("steunpunt"))
            .arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Option<Value> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.cli(&all);
        out.status
            .success()
            .then(|| serde_json::from_slice(&out.stdout).ok())
            .flatten()
    }

    /// Starts `steunpuntd` in the namespace (`ip netns exec` execs it, so the child is the
    /// daemon itself) and waits until its API answers.
    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.with_extension("log"))
            .unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns])
            .arg(binary("steunpuntd"))
            .arg("--data-dir")
            .arg(&self.dir)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.daemon = Some(child);
        eventually_within(
            &format!("{} to serve its API", self.name),
            Duration::from_secs(60),
            Duration::from_millis(100),
            || self.json(&["status"]).is_some(),
        );
    }

    /// SIGKILL, as a power cut would; the process is reaped by [`Host::reap`].
    fn kill_9(&self) {
        if let Some(child) = &self.daemon {
            run("kill", &["-9", &child.id().to_string()]).unwrap();
        }
    }

    fn reap(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Publishes (or updates) vacancy `id` with `title`; whether it was acknowledged.
    fn publish(&self, id: &str, title: &str) -> bool {
        let draft = json!({
            "id": id,
            "title": title,
            "description": "Help mee in de buurt, een middag per week.",
            "organisation": { "name": "Buurthuis De Brug" },
            "categories": ["buurt-wonen"],
            "engagement": "structureel",
            "location": { "municipality": "Breda", "pc4": "4811" },
            "contact": { "email": "info@debrug.nl" },
        });
        let file = self.dir.with_extension(format!("{id}.json"));
        std::fs::write(&file, draft.to_string()).unwrap();
        self.cli(&["vacancy", "publish", file.to_str().unwrap()])
            .status
            .success()
    }

    fn withdraw(&self, id: &str) -> bool {
        self.cli(&["vacancy", "withdraw", id]).status.success()
    }

    /// The vacancies this host lists, from the whole region; `None` while it does not
    /// answer.
    fn holdings(&self) -> Option<Holdings> {
        let out = self.cli(&["--json", "vacancy", "list"]);
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8(out.stdout).ok()?;
        text.lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line).ok()?;
                Some((
                    (
                        v["author"].as_str()?.to_owned(),
                        v["id"].as_str()?.to_owned(),
                    ),
                    v["title"].as_str()?.to_owned(),
                ))
            })
            .collect()
    }
}

/// Four hosts and the switch between them; everything is removed when dropped.
struct Region {
    tag: String,
    switch: String,
    hosts: Vec<Host>,
    _root: tempfile::TempDir,
}

impl Region {
    /// Builds the network, creates the four steunpunten, starts them and peers them as a
    /// ring; `None` (the test skips) when this machine cannot make network namespaces.
    fn new(tag: &str) -> Option<Self> {
        let prefix = format!("sp{}{tag}", std::process::id());
        let switch = format!("{prefix}sw");
        if let Err(why) = run("ip", &["netns", "add", &switch]) {
            report(&format!(
                "{tag}: skipped, network namespaces are not available here (needs root and `ip netns`): {why}"
            ));
            return None;
        }
        let root = tempfile::tempdir().unwrap();
        let mut region = Self {
            tag: tag.to_owned(),
            switch: switch.clone(),
            hosts: Vec::new(),
            _root: root,
        };
        let sw = switch.as_str();
        ip(&["-n", sw, "link", "set", "lo", "up"]);
        for bridge in ["bra", "brb"] {
            ip(&["-n", sw, "link", "add", bridge, "type", "bridge"]);
            ip(&["-n", sw, "link", "set", bridge, "up"]);
        }
        ip(&[
            "-n", sw, "link", "add", "ta", "type", "veth", "peer", "name", "tb",
        ]);
        for (end, bridge) in [("ta", "bra"), ("tb", "brb")] {
            ip(&["-n", sw, "link", "set", end, "master", bridge]);
            ip(&["-n", sw, "link", "set", end, "up"]);
        }
        let municipalities = ["Breda", "Tilburg", "Eindhoven", "Roosendaal"];
        for (i, municipality) in municipalities.iter().enumerate() {
            let n = i + 1;
            let ns = format!("{prefix}h{n}");
            ip(&["netns", "add", &ns]);
            let name = format!("h{n}");
            let dir = region._root.path().join(&name);
            region.hosts.push(Host {
                name: name.clone(),
                ns: ns.clone(),
                dir: dir.clone(),
                steunpunt: String::new(),
                daemon: None,
            });
            let port = format!("p{n}");
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            ip(&[
                "-n", sw, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns",
                &ns,
            ]);
            let bridge = if n <= 2 { "bra" } else { "brb" };
            ip(&["-n", sw, "link", "set", &port, "master", bridge]);
            ip(&["-n", sw, "link", "set", &port, "up"]);
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("10.99.0.{n}/24"),
                "dev",
                "eth0",
            ]);
            ip(&["-n", &ns, "link", "set", "eth0", "up"]);
            let init = init_at(
                &binary("steunpuntd"),
                &dir,
                &format!("Steunpunt {municipality}"),
                municipality,
                &format!("/ip4/10.99.0.{n}/tcp/4001"),
            );
            region.hosts[i].steunpunt = init["steunpunt_id"].as_str().unwrap().to_owned();
        }
        for host in &mut region.hosts {
            host.start();
        }
        for i in 0..HOSTS {
            let j = (i + 1) % HOSTS;
            region.peer(i, j);
            region.peer(j, i);
        }
        for host in &region.hosts {
            eventually_within(
                &format!("{} to trust all four steunpunten", host.name),
                Duration::from_secs(120),
                Duration::from_millis(250),
                || {
                    host.json(&["status"])
                        .is_some_and(|s| s["trusted_steunpunten"] == HOSTS)
                },
            );
        }
        Some(region)
    }

    /// Host `a` peers with host `b` through the CLI, with `b`'s address on the link.
    fn peer(&self, a: usize, b: usize) {
        let status = self.hosts[b].json(&["status"]).unwrap();
        let addr = format!(
            "{}/p2p/{}",
            status["listen_addrs"][0].as_str().unwrap(),
            status["peer_id"].as_str().unwrap()
        );
        let out = self.hosts[a].cli(&[
            "peer",
            "add",
            &addr,
            "--steunpunt",
            status["steunpunt_id"].as_str().unwrap(),
            "--label",
            &self.hosts[b].name,
        ]);
        assert!(
            out.status.success(),
            "peer add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Splits the region 2|2 (h1 h2 | h3 h4), or joins it again.
    fn split(&self, apart: bool) {
        let state = if apart { "down" } else { "up" };
        ip(&["-n", &self.switch, "link", "set", "ta", state]);
    }

    /// Cuts host `i` off from every other host, or connects it again.
    fn cut_off(&self, i: usize, cut: bool) {
        let state = if cut { "down" } else { "up" };
        ip(&[
            "-n",
            &self.switch,
            "link",
            "set",
            &format!("p{}", i + 1),
            state,
        ]);
    }

    /// Loses 10 % of every host's outgoing packets (so both directions of every link) and
    /// delays them 80±20 ms with `tc netem`. A kernel without netem gets the loss from
    /// nftables and a 1 Mbit/s token bucket instead of the delay. Says what was applied.
    fn impair(&self) -> String {
        let netem = |host: &Host| {
            run(
                "ip",
                &[
                    "netns", "exec", &host.ns, "tc", "qdisc", "replace", "dev", "eth0", "root",
                    "netem", "delay", "80ms", "20ms", "loss", "10%",
                ],
            )
        };
        let Err(why) = netem(&self.hosts[0]) else {
            for host in &self.hosts[1..] {
                netem(host).unwrap();
            }
            return "80±20 ms delay and 10 % loss on every link (tc netem)".into();
        };
        for host in &self.hosts {
            let tbf = [
                "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", "1mbit", "burst",
                "16kb", "latency", "200ms",
            ];
            let table = ["nft", "add", "table", "inet", "lossy"];
            let chain = [
                "nft",
                "add chain inet lossy out { type filter hook output priority 0; }",
            ];
            let rule = [
                "nft", "add", "rule", "inet", "lossy", "out", "oifname", "eth0", "numgen",
                "random", "mod", "100", "<", "10", "drop",
            ];
            for command in [&tbf[..], &table, &chain, &rule] {
                let mut args = vec!["netns", "exec", &host.ns];
                args.extend_from_slice(command);
                run("ip", &args)
                    .unwrap_or_else(|e| panic!("{e} (nftables is needed where tc netem is not)"));
            }
        }
        format!(
            "10 % loss (nftables) and a 1 Mbit/s link (tc tbf) on every link; no delay, \
             as this kernel has no netem ({why})"
        )
    }

    /// Undoes [`Region::impair`].
    fn repair(&self) {
        for host in &self.hosts {
            let _ = run(
                "ip",
                &[
                    "netns", "exec", &host.ns, "tc", "qdisc", "del", "dev", "eth0", "root",
                ],
            );
            let _ = run(
                "ip",
                &[
                    "netns", "exec", &host.ns, "nft", "delete", "table", "inet", "lossy",
                ],
            );
        }
    }

    /// Publishes vacancy `n` of host `h` in its `version`; recorded in the ledger when
    /// acknowledged.
    fn publish(&self, ledger: &mut Ledger, h: usize, n: u32, version: u32) -> bool {
        let host = &self.hosts[h];
        let id = format!("{}-{n}", host.name);
        let title = format!("Vrijwilliger {} nummer {n} versie {version}", host.name);
        let acked = host.publish(&id, &title);
        if acked {
            ledger.insert((host.steunpunt.clone(), id), Some(title));
        }
        acked
    }

    fn withdraw(&self, ledger: &mut Ledger, h: usize, n: u32) {
        let host = &self.hosts[h];
        let id = format!("{}-{n}", host.name);
        assert!(host.withdraw(&id), "{} could not withdraw {id}", host.name);
        ledger.insert((host.steunpunt.clone(), id), None);
    }

    /// Whether every host in `which` lists exactly the live part of `ledger`.
    fn holds(&self, which: &[usize], ledger: &Ledger) -> bool {
        let expected = live(ledger);
        which.iter().all(|&h| {
            self.hosts[h]
                .holdings()
                .is_some_and(|held| held == expected)
        })
    }

    /// Waits until every host in `which` lists exactly the live part of `ledger`; how long
    /// that took.
    fn wait_for(&self, what: &str, which: &[usize], ledger: &Ledger) -> Duration {
        eventually_within(what, CONVERGE, Duration::from_millis(500), || {
            self.holds(which, ledger)
        })
    }

    /// [`Region::new`], with `count` vacancies published on every host and replicated to
    /// all: where every test starts.
    fn with_vacancies(tag: &str, count: u32) -> Option<(Self, Ledger)> {
        let region = Self::new(tag)?;
        let mut ledger = Ledger::new();
        for h in 0..HOSTS {
            for n in 0..count {
                assert!(region.publish(&mut ledger, h, n, 1));
            }
        }
        region.wait_for("the region at the start", &region.everyone(), &ledger);
        Some((region, ledger))
    }

    fn everyone(&self) -> Vec<usize> {
        (0..HOSTS).collect()
    }

    /// `ledger` as hosts on `side` see it while apart: their own side's records as they
    /// are now, the other side's as they were at `before`.
    fn side_view(&self, side: &[usize], before: &Ledger, now: &Ledger) -> Ledger {
        let ours: BTreeSet<&str> = side
            .iter()
            .map(|&h| self.hosts[h].steunpunt.as_str())
            .collect();
        let mut view: Ledger = before
            .iter()
            .filter(|((author, _), _)| !ours.contains(author.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        view.extend(
            now.iter()
                .filter(|((author, _), _)| ours.contains(author.as_str()))
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        view
    }
}

impl Drop for Region {
    /// Stops everything and removes the namespaces. The hosts' logs are kept in
    /// `target/tmp/multi-host/`, and a failing test prints their last lines.
    fn drop(&mut self) {
        for host in &mut self.hosts {
            host.reap();
        }
        let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("multi-host");
        let _ = std::fs::create_dir_all(&kept);
        for host in &self.hosts {
            let log = host.dir.with_extension("log");
            let _ = std::fs::copy(&log, kept.join(format!("{}-{}.log", self.tag, host.name)));
            if std::thread::panicking() {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                eprintln!("--- last lines of {}'s log ---", host.name);
                for line in &lines[lines.len().saturating_sub(25)..] {
                    eprintln!("{line}");
                }
            }
        }
        for host in &self.hosts {
            let _ = run("ip", &["netns", "del", &host.ns]);
        }
        let _ = run("ip", &["netns", "del", &self.switch]);
    }
}

/// New, updated and withdrawn vacancies on every host in `hosts`; `round` keeps the ids
/// of successive calls apart.
fn work(region: &Region, ledger: &mut Ledger, hosts: &[usize], round: u32) {
    for &h in hosts {
        assert!(region.publish(ledger, h, 100 + round, 1));
        assert!(region.publish(ledger, h, round, 2));
        region.withdraw(ledger, h, round + 1);
    }
}

#[test]
fn a_partition_longer_than_every_timeout_heals_with_nothing_lost_or_resurrected() {
    let Some((region, mut ledger)) = Region::with_vacancies("pa", 6) else {
        return;
    };
    let everyone = region.everyone();
    let before = ledger.clone();
    let hold = partition_hold();
    region.split(true);
    let split = Instant::now();
    // Both sides work while apart: new vacancies, updates, withdrawals, twice.
    work(&region, &mut ledger, &everyone, 0);
    let (west, east) = ([0, 1], [2, 3]);
    for side in [&west, &east] {
        let view = region.side_view(side, &before, &ledger);
        region.wait_for("each side to converge while apart", side, &view);
    }
    std::thread::sleep((hold / 2).saturating_sub(split.elapsed()));
    work(&region, &mut ledger, &everyone, 2);
    std::thread::sleep(hold.saturating_sub(split.elapsed()));
    for side in [&west, &east] {
        let view = region.side_view(side, &before, &ledger);
        assert!(
            region.holds(side, &view),
            "the sides stayed apart for the whole partition"
        );
    }
    region.split(false);
    let took = region.wait_for("the region after the heal", &everyone, &ledger);
    report(&format!(
        "partition 2|2 held {} s, 24 records, 16 updates, 8 withdrawals: every host converged {:.1} s after the heal",
        hold.as_secs(),
        took.as_secs_f64()
    ));
}

#[test]
fn a_host_cut_off_catches_up_with_what_its_neighbour_published() {
    let Some((region, mut ledger)) = Region::with_vacancies("cu", 4) else {
        return;
    };
    let everyone = region.everyone();
    let before = ledger.clone();
    region.cut_off(0, true);
    let cut = Instant::now();
    // Its neighbour h2 keeps publishing, updating and withdrawing for 60 s; the cut-off
    // host works too.
    let mut n = 10;
    while cut.elapsed() < Duration::from_secs(60) {
        assert!(region.publish(&mut ledger, 1, n, 1));
        if n % 3 == 0 {
            assert!(region.publish(&mut ledger, 1, n - 1, 2));
        }
        if n % 4 == 0 {
            region.withdraw(&mut ledger, 1, n - 2);
        }
        n += 1;
        std::thread::sleep(Duration::from_secs(2));
    }
    work(&region, &mut ledger, &[0], 0);
    let rest = [1, 2, 3];
    let view = region.side_view(&rest, &before, &ledger);
    region.wait_for("the others to converge without h1", &rest, &view);
    let alone = region.side_view(&[0], &before, &ledger);
    assert!(region.holds(&[0], &alone), "h1 was cut off");
    region.cut_off(0, false);
    let took = region.wait_for("h1 to catch up", &everyone, &ledger);
    report(&format!(
        "h1 cut off {} s while h2 published {} vacancies: every host converged {:.1} s after h1 came back",
        cut.elapsed().as_secs(),
        n - 10,
        took.as_secs_f64()
    ));
}

#[test]
fn kill_9_during_a_burst_of_publishes_loses_no_acknowledged_one() {
    let Some(mut region) = Region::new("kb") else {
        return;
    };
    let mut ledger = Ledger::new();
    let mut kills = 0;
    for burst in 0..3u32 {
        let pause = Duration::from_millis(800 + 700 * u64::from(burst));
        let acked: Vec<(String, String)> = std::thread::scope(|scope| {
            let host = &region.hosts[2];
            let publishing = scope.spawn(|| {
                let mut acked = Vec::new();
                let mut failed_in_a_row = 0;
                for n in 0..60 {
                    let id = format!("{}-{}", host.name, burst * 100 + n);
                    let title = format!("Vrijwilliger {} burst {burst} nummer {n}", host.name);
                    if host.publish(&id, &title) {
                        acked.push((id, title));
                        failed_in_a_row = 0;
                    } else {
                        failed_in_a_row += 1;
                        if failed_in_a_row == 3 {
                            break;
                        }
                    }
                }
                acked
            });
            std::thread::sleep(pause);
            host.kill_9();
            publishing.join().unwrap()
        });
        kills += 1;
        let author = region.hosts[2].steunpunt.clone();
        for (id, title) in acked {
            ledger.insert((author.clone(), id), Some(title));
        }
        region.hosts[2].reap();
        region.hosts[2].start();
    }
    assert!(!ledger.is_empty(), "some publishes were acknowledged");
    // Publishes that were stored but not answered may be there too; every host must hold
    // every acknowledged one, and all hosts the same.
    let took = eventually_within(
        "every acknowledged publish on every host",
        CONVERGE,
        Duration::from_millis(500),
        || {
            let all: Vec<Option<Holdings>> = region.hosts.iter().map(Host::holdings).collect();
            let Some(Some(first)) = all.first() else {
                return false;
            };
            all.iter().all(|h| h.as_ref() == Some(first))
                && live(&ledger).iter().all(|(k, v)| first.get(k) == Some(v))
        },
    );
    report(&format!(
        "h3 killed with SIGKILL {kills} times during bursts of publishes: {} acknowledged, 0 missing on any host; converged {:.1} s after the last restart",
        ledger.len(),
        took.as_secs_f64()
    ));
}

#[test]
fn lost_and_delayed_packets_slow_the_region_but_lose_nothing() {
    let Some((region, mut ledger)) = Region::with_vacancies("ls", 6) else {
        return;
    };
    let everyone = region.everyone();
    // Timed from the first change: the CLI's answers come before gossip has spread.
    let started = Instant::now();
    work(&region, &mut ledger, &everyone, 0);
    region.wait_for("the work on clean links", &everyone, &ledger);
    let clean = started.elapsed();
    let impaired = region.impair();
    let started = Instant::now();
    work(&region, &mut ledger, &everyone, 2);
    region.wait_for("the work on impaired links", &everyone, &ledger);
    let lossy = started.elapsed();
    region.repair();
    work(&region, &mut ledger, &everyone, 4);
    region.wait_for(
        "the work once the links are clean again",
        &everyone,
        &ledger,
    );
    report(&format!(
        "4 new, 4 updated, 4 withdrawn across the region: everything on every host {:.2} s after the first change on clean links, {:.2} s with {impaired}",
        clean.as_secs_f64(),
        lossy.as_secs_f64()
    ));
}
