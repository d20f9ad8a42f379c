//! The local HTTP API (ARCHITECTURE.md, Interfaces): JSON under `/v1`, bearer token on
//! everything that reads or writes data, request bodies limited, Prometheus metrics at
//! `/metrics`. One module per resource; every request and answer is a type of
//! `steunpunt-api`, the contract the CLI and every other client share.

mod draft;
mod error;
mod exposition;
mod extract;
mod metrics;
mod node;
mod openapi;
mod peers;
mod records;
mod search;
pub mod serve;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use steunpunt_protocol::{Kind, SteunpuntId};
use subtle::ConstantTimeEq as _;

pub use error::ApiError;
pub use metrics::EngineCollector;
pub use steunpunt_api::{MAX_BODY_BYTES, MAX_PAGE};

use crate::actor::{ChangeError, NodeHandle, Stopped};
use crate::network::Client;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    /// The node's records.
    pub handle: NodeHandle,
    /// The network.
    pub client: Client,
    /// The bearer token.
    pub token: Arc<str>,
    /// Prometheus registry.
    pub registry: Arc<prometheus_client::registry::Registry>,
    /// The search index.
    pub search: crate::search::SearchIndex,
    /// The data directory, whose free disk space `status` reports.
    pub data_dir: std::path::PathBuf,
    /// The API's own address: requests must name it (or `localhost`) as their `Host`.
    pub api_addr: std::net::SocketAddr,
    /// `api.allow_remote`: the API is reached by names this node cannot know.
    pub allow_remote: bool,
    /// Searches running at once ([`searches_at_once`]); more wait their turn, in order.
    pub searching: Arc<tokio::sync::Semaphore>,
}

/// How many searches run at once: two per core. A search is all computation, so more at
/// once only share the cores, each taking longer, and hold memory meanwhile.
pub fn searches_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get) * 2
}

/// The API's routes.
pub fn router(state: ApiState) -> Router {
    let authed = Router::new()
        .route("/v1/status", get(node::status))
        .route("/v1/region", get(node::region))
        .route("/v1/peers", get(peers::list_peers).post(peers::add_peer))
        .route("/v1/peers/{steunpunt}", delete(peers::remove_peer))
        .route("/v1/peers/{steunpunt}/block", post(peers::block_peer))
        .route(
            "/v1/records/{kind}",
            get(records::list_records).post(records::publish),
        )
        .route("/v1/records/{kind}/{id}", delete(records::withdraw))
        .route("/v1/records/{kind}/{author}/{id}", get(records::get_record))
        .route("/v1/sync", post(node::sync_now))
        .route("/v1/search/{kind}", get(search::search))
        .route("/v1/export", get(records::export))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .merge(authed)
        .route("/metrics", get(metrics::serve))
        .route("/v1/openapi.json", get(openapi::serve))
        .fallback(|| async { ApiError::not_found("no such endpoint; the API lives under /v1") })
        .method_not_allowed_fallback(|| async {
            ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "method_not_allowed",
                message: "this endpoint does not take that method; see /v1/openapi.json".into(),
                problems: Vec::new(),
            }
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_own_host,
        ))
        .with_state(state)
}

/// A web page in the staff's browser can send requests to loopback under a name it
/// controls (DNS rebinding); its requests carry that name as `Host`. So every route,
/// open ones included, answers only requests addressed to the API itself.
async fn require_own_host(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if state.allow_remote || host.is_some_and(|h| own_host(h, state.api_addr)) {
        next.run(request).await
    } else {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "host_not_allowed",
            message: format!(
                "this API answers requests addressed to {} or localhost only",
                state.api_addr
            ),
            problems: Vec::new(),
        }
        .into_response()
    }
}

/// Whether `host` (a `Host` header: a name or address, maybe with a port) is this API's
/// address or a loopback name, with the API's port or none.
fn own_host(host: &str, addr: std::net::SocketAddr) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        // `[::1]:8080`, or `127.0.0.1:8080`; a bare IPv6 address has no port here.
        Some((name, port)) if !name.contains(':') || name.ends_with(']') => (name, Some(port)),
        _ => (host, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>() == Ok(addr.port()));
    let name = name.trim_start_matches('[').trim_end_matches(']');
    let name_ok = name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip == addr.ip());
    port_ok && name_ok
}

async fn require_token(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if bool::from(given.as_bytes().ct_eq(state.token.as_bytes())) {
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

pub(crate) fn parse_kind(kind: &str) -> Result<Kind, ApiError> {
    // Plural path segments read naturally: /v1/records/vacancies.
    let singular = match kind {
        "vacancies" => "vacancy",
        "organisations" => "organisation",
        "profiles" => "profile",
        "peerings" => "peering",
        other => other,
    };
    singular
        .parse()
        .map_err(|e: String| ApiError::bad_request("unknown_kind", e))
}

pub(crate) fn parse_steunpunt(text: &str) -> Result<SteunpuntId, ApiError> {
    text.parse()
        .map_err(|_: steunpunt_protocol::SteunpuntIdError| {
            ApiError::with_problem(
                StatusCode::BAD_REQUEST,
                "bad_steunpunt_id",
                steunpunt_protocol::Problem::new("steunpunt", "steunpunt_id", &[("value", &text)]),
            )
        })
}

/// The keeper's answer to a change: durable on disk (and gossiped) when it is `Ok`.
pub(crate) fn answered<T>(answer: Result<Result<T, ChangeError>, Stopped>) -> Result<T, ApiError> {
    match answer.map_err(ApiError::internal)? {
        Ok(value) => Ok(value),
        Err(ChangeError::Publish(e)) => Err(e.into()),
        Err(e @ ChangeError::Save(_)) => Err(ApiError::internal(e)),
    }
}

/// Runs a read on a blocking thread, straight on the store: it holds up neither the
/// network nor the owner of the records.
pub(crate) async fn read<T: Send + 'static>(
    state: &ApiState,
    work: impl FnOnce(&NodeHandle) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let handle = state.handle.clone();
    tokio::task::spawn_blocking(move || work(&handle))
        .await
        .map_err(ApiError::internal)?
}
