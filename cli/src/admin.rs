//! What an admin reads: `status` (who we are, the line to send a neighbour, the
//! neighbours, warnings), `peer list` and `peer add` that say whether a neighbour has
//! peered back, and `region`, the federation as this node sees it.

use std::collections::HashMap;

use serde::Serialize;
use steunpunt_api::{Client, ListQuery, PeerView, RecordView, Status};
use steunpunt_protocol::{Kind, RecordKey, SteunpuntId};

use crate::output;
use crate::show;
use crate::t;

/// How often `peer add` looks whether the neighbour answered, and for how long.
const PEER_CHECK_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
const PEER_CHECK_FOR: std::time::Duration = std::time::Duration::from_secs(4);

/// The profile or peering record (`kind`) of every steunpunt we hold one of, read in as
/// few pages as there are; empty when the node cannot be asked.
pub fn one_per_steunpunt(api: &Client, kind: Kind) -> HashMap<SteunpuntId, RecordView> {
    api.records_where(kind, &ListQuery::default(), |_| true)
        .map(|records| records.into_iter().map(|r| (r.author, r)).collect())
        .unwrap_or_default()
}

/// Whether `neighbour` vouches for `me` in the peering record we hold of it; `None` while
/// we hold none (its node has not been reached yet).
pub fn peered_back(api: &Client, neighbour: SteunpuntId, me: SteunpuntId) -> Option<bool> {
    let record = api.record(&RecordKey::peering(neighbour)).ok()?;
    record.peering().map(|p| p.vouches_for(&me))
}

/// Trusted steunpunten `status` names; `region` shows them all.
const STATUS_TRUSTED_SHOWN: usize = 8;

/// What a neighbour's state is, in words.
fn neighbour_state(peer: &PeerView, back: Option<bool>) -> String {
    let refused = peer.refused.as_ref().map(|r| r.until);
    let link = match (peer.connected, peer.since, refused) {
        (_, _, Some(until)) => t!("neighbour-refused", duration = show::duration_until(until)),
        (true, Some(since), None) => t!(
            "neighbour-connected-for",
            duration = show::duration_since(since)
        ),
        (true, None, None) => t!("neighbour-connected"),
        (false, Some(since), None) => t!(
            "neighbour-not-connected-for",
            duration = show::duration_since(since)
        ),
        (false, None, None) => t!("neighbour-not-connected"),
    };
    let back = match back {
        Some(true) => t!("neighbour-peered-back"),
        Some(false) => t!("neighbour-not-peered-back"),
        None => t!("neighbour-unknown"),
    };
    format!("{link}; {back}")
}

/// What a refused node sent, in words (the node's code for a reason this version does
/// not know).
fn refused_for(reason: &str) -> String {
    let id = format!("refused-{reason}");
    let said = crate::i18n::message(&id, &[]);
    if said == id { reason.to_owned() } else { said }
}

/// A neighbour's name: its profile's, else the label it was added with.
fn name_of(names: &HashMap<SteunpuntId, String>, peer: &PeerView) -> String {
    names
        .get(&peer.steunpunt)
        .cloned()
        .unwrap_or_else(|| peer.label.clone())
}

/// The line a neighbouring admin types to peer with us, for each address others can
/// reach (the loopback ones only when there are no others).
pub fn peering_lines(status: &Status, name: &str) -> Vec<String> {
    let reachable: Vec<&String> = status
        .listen_addrs
        .iter()
        .filter(|a| !a.starts_with("/ip4/127.") && !a.starts_with("/ip6/::1/"))
        .collect();
    let addrs = if reachable.is_empty() {
        status.listen_addrs.iter().collect()
    } else {
        reachable
    };
    addrs
        .into_iter()
        .filter(|a| !a.contains("/quic"))
        .map(|addr| {
            // In shell lines, so the whole command copies even where the terminal wraps.
            format!(
                "steunpunt peer add \\\n    {addr}/p2p/{} \\\n    --steunpunt {} \\\n    --label \"{name}\"",
                status.peer_id, status.steunpunt_id
            )
        })
        .collect()
}

/// Bytes as gigabytes with one decimal.
fn gigabytes(bytes: u64) -> String {
    output::decimal(bytes as f64 / f64::from(1u32 << 30))
}

/// `steunpunt status` for people.
pub fn status(api: &Client, expiring: usize, expiring_days: u64) -> anyhow::Result<()> {
    let status = api.status()?;
    let names = crate::steunpunt_names(api);
    let me = status.steunpunt_id;
    let name = names.get(&me).cloned().unwrap_or_default();
    let counts = status.record_counts;
    let mut lines = vec![
        (t!("status-name"), name.clone()),
        (t!("status-steunpunt-id"), me.to_string()),
        (t!("status-peer-id"), status.peer_id.clone()),
    ];
    for addr in &status.listen_addrs {
        lines.push((t!("status-listening"), addr.clone()));
    }
    let peers = api.peers()?.peers;
    let mut warnings = Vec::new();
    if status.recovering {
        warnings.push(t!("warning-recovering"));
    }
    if let Some(failure) = &status.writes_failing {
        warnings.push(if failure.disk_full {
            t!("warning-disk-full")
        } else {
            t!("warning-writes-failing", reason = failure.message.clone())
        });
    }
    if let Some(disk) = status.disk.filter(steunpunt_api::DiskSpace::is_low) {
        warnings.push(t!(
            "warning-disk-low",
            free = gigabytes(disk.free_bytes),
            total = gigabytes(disk.total_bytes)
        ));
    }
    if peers.is_empty() {
        lines.push((t!("status-neighbours"), t!("status-no-neighbours")));
    }
    for (i, peer) in peers.iter().enumerate() {
        let back = peered_back(api, peer.steunpunt, me);
        let neighbour = name_of(&names, peer);
        // Their node lets ours in only once they have added us: while that is not known
        // to have happened, that is the likely reason, not a node that is down.
        match (peer.connected, back, &peer.refused) {
            (_, _, Some(refused)) => warnings.push(t!(
                "warning-refused",
                name = neighbour.as_str(),
                duration = show::duration_until(refused.until),
                what = refused_for(&refused.reason)
            )),
            (false, Some(true), None) => {
                warnings.push(t!("warning-not-connected", name = neighbour.as_str()));
            }
            (_, Some(true), None) => {}
            _ => warnings.push(t!("warning-not-peered-back", name = neighbour.as_str())),
        }
        let label = if i == 0 {
            t!("status-neighbours")
        } else {
            String::new()
        };
        lines.push((
            label,
            format!("{neighbour}: {}", neighbour_state(peer, back)),
        ));
    }
    lines.push((
        t!("status-trusted"),
        t!("status-trusted-value", count = status.trusted_steunpunten),
    ));
    // The nearest by name, with who vouched; `region` has all of them.
    let mut others: Vec<_> = status.trust.iter().filter(|t| t.hops > 0).collect();
    let named = |id: &SteunpuntId| names.get(id).cloned().unwrap_or_else(|| id.short());
    others.sort_by_key(|t| (t.hops, named(&t.steunpunt)));
    for t in others.iter().take(STATUS_TRUSTED_SHOWN) {
        let hops = t!("region-hops", hops = t.hops);
        let line = match t.vouched_by.filter(|_| t.hops > 1) {
            Some(via) => t!(
                "status-trusted-via",
                name = named(&t.steunpunt),
                hops = hops,
                via = named(&via)
            ),
            None => format!("{}: {hops}", named(&t.steunpunt)),
        };
        lines.push((String::new(), line));
    }
    if others.len() > STATUS_TRUSTED_SHOWN {
        lines.push((
            String::new(),
            t!(
                "status-trusted-more",
                count = others.len() - STATUS_TRUSTED_SHOWN
            ),
        ));
    }
    lines.extend([
        (
            t!("status-expiring"),
            t!(
                "status-expiring-value",
                count = expiring,
                days = expiring_days
            ),
        ),
        (
            t!("status-records"),
            t!(
                "status-records-value",
                vacancies = counts.vacancy,
                organisations = counts.organisation,
                profiles = counts.profile
            ),
        ),
    ]);
    for (i, warning) in warnings.iter().enumerate() {
        let label = if i == 0 { t!("warning") } else { String::new() };
        lines.push((label, warning.clone()));
    }
    output::labelled(&lines);
    println!();
    println!("{}", t!("status-peering-line"));
    for line in peering_lines(&status, &name) {
        for part in line.lines() {
            println!("  {part}");
        }
    }
    Ok(())
}

/// One neighbour, as `peer list --json` prints it.
#[derive(Serialize)]
struct NeighbourView<'a> {
    #[serde(flatten)]
    peer: &'a PeerView,
    /// Whether it vouches for us; none while we hold no peering record of it.
    peered_back: Option<bool>,
}

/// `steunpunt peer list`.
pub fn peers(api: &Client, json: bool) -> anyhow::Result<()> {
    let me = api.status()?.steunpunt_id;
    let peers = api.peers()?.peers;
    let names = crate::steunpunt_names(api);
    if json {
        let views: Vec<NeighbourView<'_>> = peers
            .iter()
            .map(|peer| NeighbourView {
                peer,
                peered_back: peered_back(api, peer.steunpunt, me),
            })
            .collect();
        output::json_lines(&views);
        return Ok(());
    }
    if peers.is_empty() {
        println!("{}", t!("no-peers"));
    }
    // One block per neighbour: the ID and address are read out and copied whole, so
    // they are never cut or wrapped.
    for (i, p) in peers.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!("{}", name_of(&names, p));
        output::labelled(&[
            (
                format!("  {}", t!("col-steunpunt-id")),
                p.steunpunt.to_string(),
            ),
            (
                format!("  {}", t!("col-state")),
                neighbour_state(p, peered_back(api, p.steunpunt, me)),
            ),
            (format!("  {}", t!("col-address")), p.multiaddr.clone()),
        ]);
    }
    Ok(())
}

/// After `peer add`: waits a few seconds for the neighbour's node, then says whether it
/// answered and whether that steunpunt has peered with us too.
pub fn after_peer_add(api: &Client, neighbour: SteunpuntId) -> anyhow::Result<()> {
    let me = api.status()?.steunpunt_id;
    let started = std::time::Instant::now();
    let (mut connected, mut back) = (false, None);
    while started.elapsed() < PEER_CHECK_FOR {
        connected = api
            .peers()?
            .peers
            .iter()
            .any(|p| p.steunpunt == neighbour && p.connected);
        back = peered_back(api, neighbour, me);
        if connected && back == Some(true) {
            break;
        }
        std::thread::sleep(PEER_CHECK_EVERY);
    }
    let said = match (connected, back) {
        (true, Some(true)) => t!("peer-now-exchanging"),
        (true, _) => t!("peer-connected-not-back"),
        (false, Some(true)) => t!("peer-back-not-connected"),
        (false, _) => t!("peer-waiting-for-them"),
    };
    output::tell(&said);
    Ok(())
}

/// How `region` prints the federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegionFormat {
    /// A table for people.
    Table,
    /// Graphviz: who vouches for whom, among the steunpunten we trust.
    Dot,
}

/// `steunpunt region`: every trusted steunpunt, nearest first.
pub fn region(api: &Client, format: RegionFormat, json: bool) -> anyhow::Result<()> {
    let members = api.region()?.steunpunten;
    if json {
        output::json_lines(&members);
        return Ok(());
    }
    let name = |id: &SteunpuntId| {
        members
            .iter()
            .find(|m| m.steunpunt == *id)
            .and_then(|m| m.name.clone())
            .unwrap_or_else(|| id.short())
    };
    if format == RegionFormat::Dot {
        println!("digraph federatie {{");
        for m in &members {
            println!(
                "  \"{}\" [label=\"{}\"];",
                m.steunpunt,
                name(&m.steunpunt).replace('"', "'")
            );
        }
        for m in &members {
            for v in &m.vouches_for {
                println!("  \"{}\" -> \"{}\";", m.steunpunt, v);
            }
        }
        println!("}}");
        return Ok(());
    }
    let rows = members
        .iter()
        .map(|m| {
            vec![
                name(&m.steunpunt),
                m.municipalities.join(", "),
                if m.hops == 0 {
                    t!("region-ourselves")
                } else {
                    t!("region-hops", hops = m.hops)
                },
                // A neighbour is vouched for by us; only further steunpunten need a "via".
                m.vouched_by
                    .as_ref()
                    .filter(|_| m.hops > 1)
                    .map(name)
                    .unwrap_or_default(),
                m.vacancies.to_string(),
                m.organisations.to_string(),
                m.last_change.map(show::day).unwrap_or_default(),
                m.steunpunt.to_string(),
            ]
        })
        .collect();
    output::table(
        &[
            t!("col-steunpunt"),
            t!("col-municipalities"),
            t!("col-distance-hops"),
            t!("col-vouched-by"),
            t!("col-vacancies"),
            t!("col-organisations"),
            t!("col-last-change"),
            t!("col-steunpunt-id"),
        ],
        rows,
        &[7],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_neighbour_says_for_how_long_and_why() {
        let mut peer = PeerView {
            steunpunt: "sp_h6dkl24bcjsymwwegun6cekcbr2ne5pjgaea2uyv2azlcc3itxi6dyj5"
                .parse()
                .unwrap(),
            label: "Steunpunt Oss".into(),
            multiaddr: "/ip4/192.0.2.10/tcp/4001".into(),
            connected: false,
            since: None,
            trusted: None,
            refused: None,
        };
        assert_eq!(
            neighbour_state(&peer, Some(true)),
            "niet verbonden; heeft ons ook toegevoegd"
        );
        peer.refused = Some(steunpunt_api::Refused {
            until: show::now().plus_ms(9 * 60_000 + 30_000),
            reason: "invalid_records".into(),
        });
        assert_eq!(
            neighbour_state(&peer, Some(true)),
            "geweerd, nog 9 minuten; heeft ons ook toegevoegd"
        );
        assert_eq!(
            refused_for("invalid_records"),
            "gegevens met een handtekening die niet klopt"
        );
        assert_eq!(refused_for("iets_nieuws"), "iets_nieuws");
    }
}
