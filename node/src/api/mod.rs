//! The local HTTP API (ARCHITECTURE.md, Interfaces): JSON under `/v1`, bearer token on
//! everything that reads or writes data, request bodies limited, Prometheus metrics at
//! `/metrics`. One module per resource; every request and answer is a type of
//! `steunpunt-api`, the contract the CLI and every other client share.

mod error;
mod extract;
mod metrics;
mod node;
mod peers;
mod records;
mod search;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use steunpunt_api::{
    AddPeer, BlockPeer, ConnectedPeer, ErrorBody, ErrorDetail, Export, Hit, Outcome, PeerAdded,
    PeerBlocked, PeerList, PeerRemoved, PeerView, Published, RecordCounts, RecordPage, RecordView,
    SearchResults, Sort, Status, SyncStarted, Trusted,
};
use steunpunt_protocol::body::{Organisation, Vacancy};
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
}

/// The API's routes.
pub fn router(state: ApiState) -> Router {
    let authed = Router::new()
        .route("/v1/status", get(node::status))
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
        .route("/v1/openapi.json", get(openapi))
        .fallback(|| async { ApiError::not_found("no such endpoint; the API lives under /v1") })
        .method_not_allowed_fallback(|| async {
            ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "method_not_allowed",
                message: "this endpoint does not take that method; see /v1/openapi.json".into(),
            }
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
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
        .map_err(|e: steunpunt_protocol::SteunpuntIdError| {
            ApiError::bad_request("bad_steunpunt_id", e.to_string())
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

/// The OpenAPI document of this API.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Steunpunt Federatie node API", description = "The local API of steunpuntd. Every /v1 endpoint except this document needs `Authorization: Bearer TOKEN` with the token from DATA_DIR/api.token."),
    paths(node::status, node::sync_now, peers::list_peers, peers::add_peer, peers::remove_peer, peers::block_peer, records::list_records, records::get_record, records::publish, records::withdraw, records::export, search::search),
    components(schemas(Vacancy, Organisation, ErrorBody, ErrorDetail, Status, ConnectedPeer, Trusted, RecordCounts, SyncStarted, AddPeer, PeerAdded, PeerList, PeerView, PeerRemoved, BlockPeer, PeerBlocked, RecordView, RecordPage, Published, Outcome, Export, Hit, SearchResults, Sort, Kind, SteunpuntId)),
    modifiers(&BearerToken, &ErrorResponses),
    security(("token" = [])),
)]
pub struct ApiDoc;

struct BearerToken;

/// Adds the error answers every operation can give, all with [`ErrorBody`]: 400, 401,
/// 404, 405 and 500 everywhere; 413, 415 and 422 where a body is sent.
struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let common = [
            (
                "400",
                "a parameter or the body is wrong: the message names the field",
            ),
            ("401", "missing or wrong bearer token"),
            ("404", "no such record or endpoint"),
            ("405", "the endpoint does not take this method"),
            ("500", "the node failed (storage, a stopped task)"),
        ];
        let with_body = [
            ("413", "the body is larger than 256 KiB"),
            ("415", "the body is not sent as application/json"),
            ("422", "the body is JSON but not of the expected shape"),
        ];
        for item in openapi.paths.paths.values_mut() {
            for (operation, sends_body) in [
                (&mut item.get, false),
                (&mut item.delete, false),
                (&mut item.post, true),
            ] {
                let Some(operation) = operation else { continue };
                let extra = if sends_body { &with_body[..] } else { &[] };
                for (status, text) in common.iter().chain(extra) {
                    let description = match operation.responses.responses.get(*status) {
                        Some(utoipa::openapi::RefOr::T(existing)) => existing.description.clone(),
                        _ => (*text).to_owned(),
                    };
                    let response = ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build();
                    operation
                        .responses
                        .responses
                        .insert((*status).to_owned(), response.into());
                }
            }
        }
    }
}

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(<ApiDoc as utoipa::OpenApi>::openapi())
}
