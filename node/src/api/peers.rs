//! Neighbouring centres: `/v1/peers`. Every change is all-or-nothing: saved, vouched for
//! in our signed peering record and dialled, or nothing changed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use libp2p::Multiaddr;
use steunpunt_api::{
    AddPeer, BlockPeer, PeerAdded, PeerBlocked, PeerList, PeerRemoved, PeerView, Refused,
};

use steunpunt_protocol::Problem;

use super::extract::{JsonBody, Path};
use super::node::trusted;
use super::{ApiError, ApiState, answered, parse_steunpunt};
use crate::data_dir::PeerEntry;

/// The neighbours added with `peer add`.
#[utoipa::path(get, path = "/v1/peers", tag = "peers", responses((status = 200, description = "neighbours added with peer add, with connection and trust state", body = PeerList)))]
pub(super) async fn list_peers(State(state): State<ApiState>) -> Result<Json<PeerList>, ApiError> {
    let network = state.client.status().await.map_err(ApiError::internal)?;
    let summary = state.handle.summary();
    let peers = summary
        .neighbours
        .iter()
        .map(|p| PeerView {
            steunpunt: p.steunpunt,
            label: p.label.clone(),
            multiaddr: p.multiaddr.to_string(),
            connected: p.peer_id().is_some_and(|id| network.peers.contains(&id)),
            since: p.peer_id().and_then(|id| network.since.get(&id).copied()),
            trusted: trusted(&summary.trust, &p.steunpunt),
            refused: p
                .peer_id()
                .and_then(|id| summary.bans.get(&id))
                .map(|(until, why)| Refused {
                    until: *until,
                    reason: why.code().to_owned(),
                }),
        })
        .collect();
    Ok(Json(PeerList { peers }))
}

/// Peers with a neighbouring centre.
#[utoipa::path(post, path = "/v1/peers", tag = "peers", request_body = AddPeer, responses((status = 201, description = "saved, vouched for and dialled", body = PeerAdded), (status = 400, description = "malformed steunpunt ID or multiaddress, or our own steunpunt")))]
pub(super) async fn add_peer(
    State(state): State<ApiState>,
    JsonBody(body): JsonBody<AddPeer>,
) -> Result<(StatusCode, Json<PeerAdded>), ApiError> {
    let steunpunt = parse_steunpunt(&body.steunpunt)?;
    check_label(&body.label)?;
    let multiaddr: Multiaddr = body.multiaddr.parse().map_err(|_| {
        ApiError::with_problem(
            StatusCode::BAD_REQUEST,
            "bad_multiaddr",
            Problem::new("multiaddr", "multiaddr", &[("value", &body.multiaddr)]),
        )
    })?;
    let entry = PeerEntry {
        multiaddr,
        steunpunt,
        label: if body.label.is_empty() {
            steunpunt.short()
        } else {
            body.label.clone()
        },
    };
    if entry.peer_id().is_none() {
        return Err(ApiError::with_problem(
            StatusCode::BAD_REQUEST,
            "missing_peer_id",
            Problem::new("multiaddr", "missing_peer_id", &[]),
        ));
    }
    let multiaddr = entry.multiaddr.to_string();
    let change = answered(state.handle.add_peer(entry).await)?;
    Ok((
        StatusCode::CREATED,
        Json(PeerAdded {
            steunpunt,
            multiaddr,
            replaced: change.replaced.map(|a| a.to_string()),
        }),
    ))
}

/// Stops vouching for a neighbour and dialling it.
#[utoipa::path(delete, path = "/v1/peers/{steunpunt}", tag = "peers", params(("steunpunt" = String, Path, description = "steunpunt ID (sp_…)")), responses((status = 200, description = "no longer vouched for or dialled", body = PeerRemoved)))]
pub(super) async fn remove_peer(
    State(state): State<ApiState>,
    Path(steunpunt): Path<String>,
) -> Result<Json<PeerRemoved>, ApiError> {
    let steunpunt = parse_steunpunt(&steunpunt)?;
    answered(state.handle.remove_peer(steunpunt).await)?;
    Ok(Json(PeerRemoved { removed: steunpunt }))
}

/// Blocks a steunpunt: never trusted, even when others vouch for it.
#[utoipa::path(post, path = "/v1/peers/{steunpunt}/block", tag = "peers", params(("steunpunt" = String, Path, description = "steunpunt ID (sp_…)")), request_body(content = Option<BlockPeer>), responses((status = 200, description = "blocked: never trusted, even through others", body = PeerBlocked)))]
pub(super) async fn block_peer(
    State(state): State<ApiState>,
    Path(steunpunt): Path<String>,
    // No body, `null` and `{}` all mean: no label.
    body: Option<JsonBody<Option<BlockPeer>>>,
) -> Result<Json<PeerBlocked>, ApiError> {
    let steunpunt = parse_steunpunt(&steunpunt)?;
    let label = body
        .and_then(|JsonBody(b)| b)
        .map(|b| b.label)
        .map(|l| check_label(&l).map(|()| l))
        .transpose()?
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| steunpunt.short());
    answered(state.handle.block_peer(steunpunt, label).await)?;
    Ok(Json(PeerBlocked { blocked: steunpunt }))
}

/// A label goes into this steunpunt's peering record, which refuses control characters and
/// long text; said here, before anything is saved.
fn check_label(label: &str) -> Result<(), ApiError> {
    let problems = steunpunt_protocol::validate::label_problems(label);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(problems))
    }
}
