//! Scenarios about connections rather than records, on the same world and the daemon's
//! own policy: a neighbour that has not peered back (for hours, while admins e-mail each
//! other), a neighbour whose node comes and goes, and busy honest neighbours syncing as
//! often as they may.

use serde::Serialize;
use steunpunt_protocol::RecordKey;

use crate::world::{MINUTE, SimConfig, World, holds, steunpunt};

const HOUR: u64 = 60 * MINUTE;

/// Two nodes on a quiet network: no staff work, faults or skew beyond a second.
fn two_nodes(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        nodes: 2,
        ops: 0,
        crashes_per_node: 0.0,
        partitions: 0,
        drop_rate: 0.0,
        dup_rate: 0.0,
        max_skew_ms: 1_000,
        ..SimConfig::default()
    }
}

/// Node 0's dials towards node 1: their times, and how many fell in each hour.
fn dials(world: &World, hours: u64) -> (Vec<u64>, Vec<usize>) {
    let times = world.dials.get(&(0, 1)).cloned().unwrap_or_default();
    let per_hour = (0..hours)
        .map(|h| {
            times
                .iter()
                .filter(|t| (h * HOUR..(h + 1) * HOUR).contains(*t))
                .count()
        })
        .collect();
    (times, per_hour)
}

/// What happened while one side waited for the other to peer back.
#[derive(Debug, Clone, Serialize)]
pub struct WaitingReport {
    /// Connection attempts of the waiting node in each hour.
    pub dials_per_hour: Vec<usize>,
    /// Longest time between two attempts, in seconds.
    pub longest_gap_s: u64,
    /// The policy's longest redial delay, in seconds.
    pub redial_max_s: u64,
    /// Seconds from the other side's `peer add` until the waiting node holds its profile.
    pub synced_after_s: Option<u64>,
}

/// Node 0 peers with node 1, which does not peer back for `hours`; then it does.
pub fn unreciprocated_peering(seed: u64, hours: u64) -> WaitingReport {
    let config = two_nodes(seed);
    let redial_max_s = config.policy.redial_max_ms / 1000;
    let mut world = World::new(config);
    world.peer_add(0, 1);
    world.run_until(hours * HOUR);
    let (times, dials_per_hour) = dials(&world, hours);
    let longest_gap_s = times
        .windows(2)
        .map(|w| (w[1] - w[0]) / 1000)
        .max()
        .unwrap_or(0);
    let peered_at = world.now;
    world.peer_add(1, 0);
    let profile = RecordKey::profile(steunpunt(&world, 1));
    let mut synced_after_s = None;
    for second in 1..=2 * redial_max_s {
        world.run_until(peered_at + second * 1000);
        if holds(&world, 0, &profile) {
            synced_after_s = Some(second);
            break;
        }
    }
    WaitingReport {
        dials_per_hour,
        longest_gap_s,
        redial_max_s,
        synced_after_s,
    }
}

/// What busy honest neighbours held against each other.
#[derive(Debug, Clone, Serialize)]
pub struct BusyReport {
    /// Offences booked, over all nodes (an honest region books none).
    pub offences: u64,
    /// Peers refused at the end, over all nodes.
    pub bans: usize,
    /// Vacancies published.
    pub published: usize,
    /// Of those, how many every node held 5 seconds after the last.
    pub everywhere: usize,
}

/// `nodes` steunpunten all peered with each other, syncing at `interval_ms`, for
/// `minutes`: staff publish a vacancy every half second (on each node in turn) and ask for
/// a sync on every node every ten seconds, on a fast network that loses nothing.
pub fn busy_honest_region(seed: u64, nodes: usize, interval_ms: u64, minutes: u64) -> BusyReport {
    let mut config = two_nodes(seed);
    config.nodes = nodes;
    config.policy.sync_interval_ms = interval_ms;
    // Neighbours on good lines: a sync takes milliseconds, so the timer, not the
    // network, sets how often sessions open.
    config.max_delay_ms = 50;
    let mut world = World::new(config);
    for a in 0..nodes {
        for b in 0..nodes {
            if a != b {
                world.peer_add(a, b);
            }
        }
    }
    let mut published = Vec::new();
    let end = minutes * MINUTE;
    let mut t = 0;
    while t < end {
        t += 500;
        world.run_until(t);
        let node = (t / 500) as usize % nodes;
        if let Some(key) = world.publish_vacancy(node) {
            published.push(key);
        }
        if t % 10_000 == 0 {
            for node in 0..nodes {
                world.sync_now(node);
            }
        }
    }
    world.run_until(end + 5_000);
    let everywhere = published
        .iter()
        .filter(|key| (0..nodes).all(|node| holds(&world, node, key)))
        .count();
    let (offences, bans) = (0..nodes)
        .map(|node| world.conduct(node))
        .fold((0, 0), |(o, b), (no, nb)| (o + no, b + nb));
    BusyReport {
        offences,
        bans,
        published: published.len(),
        everywhere,
    }
}

/// What happened while a neighbour's node came and went.
#[derive(Debug, Clone, Serialize)]
pub struct FlappingReport {
    /// Times node 1 went down.
    pub outages: usize,
    /// Connection attempts of node 0 towards node 1 in each hour.
    pub dials_per_hour: Vec<usize>,
    /// Seconds after node 1's last return until it held everything node 0 published.
    pub caught_up_after_s: Option<u64>,
}

/// Nodes 0 and 1 are peered; node 1 goes down and comes back, again and again, for
/// `hours`, while node 0's staff publish a vacancy every ten minutes.
pub fn flapping_neighbour(seed: u64, hours: u64) -> FlappingReport {
    let mut world = World::new(two_nodes(seed));
    world.peer_add(0, 1);
    world.peer_add(1, 0);
    let mut outages = 0;
    let mut published = Vec::new();
    let mut t = 0;
    let end = hours * HOUR;
    while t < end {
        // Up for 1 to 20 minutes, down for 10 seconds to 15 minutes.
        t += world.random_ms(MINUTE, 20 * MINUTE);
        world.run_until(t.min(end));
        if let Some(key) = world.publish_vacancy(0) {
            published.push(key);
        }
        if t >= end {
            break;
        }
        world.crash(1);
        outages += 1;
        t += world.random_ms(10_000, 15 * MINUTE);
        world.run_until(t.min(end));
        world.restart(1);
    }
    let back = world.now;
    let mut caught_up_after_s = None;
    for second in 1..=600 {
        world.run_until(back + second * 1000);
        if published.iter().all(|k| holds(&world, 1, k)) {
            caught_up_after_s = Some(second);
            break;
        }
    }
    let (_, dials_per_hour) = dials(&world, hours);
    FlappingReport {
        outages,
        dials_per_hour,
        caught_up_after_s,
    }
}
