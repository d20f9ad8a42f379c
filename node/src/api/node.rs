//! The node as a whole: `GET /v1/status`, `POST /v1/sync`.

use axum::Json;
use axum::extract::State;
use steunpunt_api::{
    ConnectedPeer, DiskSpace, RecordCounts, Region, RegionMember, Status, SyncStarted, Trusted,
};
use steunpunt_protocol::{Body, Kind, RecordKey, SteunpuntId, TrustSet};

use super::{ApiError, ApiState, read};

/// How we trust `steunpunt`, as the API shows it.
pub(super) fn trusted(trust: &TrustSet, steunpunt: &SteunpuntId) -> Option<Trusted> {
    trust.get(steunpunt).map(|t| Trusted {
        steunpunt: *steunpunt,
        hops: t.hops,
        vouched_by: t.path.len().checked_sub(2).map(|i| t.path[i]),
    })
}

/// Who the node is, whom it is connected to and trusts, what it holds.
#[utoipa::path(get, path = "/v1/status", tag = "node", responses((status = 200, description = "the node's identity, connections, trust and record counts", body = Status)))]
pub(super) async fn status(State(state): State<ApiState>) -> Result<Json<Status>, ApiError> {
    let network = state.client.status().await.map_err(ApiError::internal)?;
    let summary = state.handle.summary();
    let mut record_counts = RecordCounts::default();
    for kind in Kind::ALL {
        record_counts.set(kind, summary.tally.live(kind));
    }
    Ok(Json(Status {
        steunpunt_id: summary.me,
        peer_id: network.peer_id.to_string(),
        listen_addrs: network
            .listen_addrs
            .iter()
            .map(ToString::to_string)
            .collect(),
        peers: network
            .peers
            .iter()
            .map(|p| ConnectedPeer {
                peer_id: p.to_string(),
                steunpunt: summary.nodes.get(p).copied().flatten(),
                since: network.since.get(p).copied(),
            })
            .collect(),
        trusted_steunpunten: summary.trust.len(),
        trust: summary
            .trust
            .iter()
            .filter_map(|(id, _)| trusted(&summary.trust, id))
            .collect(),
        record_counts,
        withdrawn: summary.tally.withdrawn,
        recovering: summary.recovering,
        disk: fs2::statvfs(&state.data_dir).ok().map(|s| DiskSpace {
            free_bytes: s.available_space(),
            total_bytes: s.total_space(),
        }),
        writes_failing: summary.writes_failing.clone(),
    }))
}

/// The federation as this node sees it: every trusted steunpunt with its name, distance,
/// whom it vouches for, what we hold of it and when it last changed anything.
#[utoipa::path(get, path = "/v1/region", tag = "node", responses((status = 200, description = "every trusted steunpunt, ourselves first, then by distance", body = Region)))]
pub(super) async fn region(State(state): State<ApiState>) -> Result<Json<Region>, ApiError> {
    let summary = state.handle.summary();
    let steunpunten = read(&state, move |handle| {
        let mut members = Vec::with_capacity(summary.trust.len());
        for (id, _) in summary.trust.iter() {
            let Some(how) = trusted(&summary.trust, id) else {
                continue;
            };
            let profile = handle.get(&RecordKey::profile(*id))?;
            let profile = profile.as_ref().and_then(|r| match &r.payload().body {
                Some(Body::Profile(p)) => Some(p),
                _ => None,
            });
            let vouches_for = match handle
                .get(&RecordKey::peering(*id))?
                .and_then(|r| r.payload().body.clone())
            {
                Some(Body::Peering(p)) => p
                    .vouches
                    .iter()
                    .map(|v| v.steunpunt)
                    .filter(|v| summary.trust.contains(v))
                    .collect(),
                _ => Vec::new(),
            };
            let held = summary.authors.get(id);
            members.push(RegionMember {
                steunpunt: *id,
                name: profile.map(|p| p.name.clone()),
                municipalities: profile
                    .map(|p| p.municipalities.clone())
                    .unwrap_or_default(),
                hops: how.hops,
                vouched_by: how.vouched_by,
                vouches_for,
                vacancies: held.map_or(0, |a| a.tally.live(Kind::Vacancy)),
                organisations: held.map_or(0, |a| a.tally.live(Kind::Organisation)),
                last_change: held.map(|a| a.newest),
            });
        }
        members.sort_by(|a, b| {
            (a.hops, &a.name, a.steunpunt.to_string()).cmp(&(
                b.hops,
                &b.name,
                b.steunpunt.to_string(),
            ))
        });
        Ok(members)
    })
    .await?;
    Ok(Json(Region { steunpunten }))
}

/// Starts a reconciliation with every connected neighbour now.
#[utoipa::path(post, path = "/v1/sync", tag = "node", responses((status = 200, description = "how many reconciliations were started now, and how many start within 3 seconds: a node opens at most one sync with a neighbour every 3 seconds, so that asking often never looks like a flood to the neighbour", body = SyncStarted)))]
pub(super) async fn sync_now(State(state): State<ApiState>) -> Result<Json<SyncStarted>, ApiError> {
    let started = state.handle.sync_now().await.map_err(ApiError::internal)?;
    Ok(Json(SyncStarted {
        started: started.now,
        soon: started.soon,
    }))
}
