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
mod peers;
mod records;
mod search;
pub mod serve;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use steunpunt_api::{
    AddPeer, BlockPeer, ConnectedPeer, DiskSpace, ErrorBody, ErrorDetail, Export, Hit, Outcome,
    PeerAdded, PeerBlocked, PeerList, PeerRemoved, PeerView, Problem, Published, RecordCounts,
    RecordPage, RecordView, Refused, Region, RegionMember, SearchResults, Sort, Status,
    SyncStarted, Trusted, WriteFailure,
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
    /// The data directory, whose free disk space `status` reports.
    pub data_dir: std::path::PathBuf,
    /// The API's own address: requests must name it (or `localhost`) as their `Host`.
    pub api_addr: std::net::SocketAddr,
    /// `api.allow_remote`: the API is reached by names this node cannot know.
    pub allow_remote: bool,
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
        .route("/v1/openapi.json", get(openapi))
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

/// The OpenAPI document of this API.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Steunpunt Federatie node API", description = "The local API of steunpuntd. Every /v1 endpoint except this document needs `Authorization: Bearer TOKEN` with the token from DATA_DIR/api.token."),
    paths(node::status, node::region, node::sync_now, peers::list_peers, peers::add_peer, peers::remove_peer, peers::block_peer, records::list_records, records::get_record, records::publish, records::withdraw, records::export, search::search),
    components(schemas(Vacancy, Organisation, ErrorBody, ErrorDetail, Problem, Status, DiskSpace, WriteFailure, Region, RegionMember, ConnectedPeer, Trusted, RecordCounts, SyncStarted, AddPeer, PeerAdded, PeerList, PeerView, Refused, PeerRemoved, BlockPeer, PeerBlocked, RecordView, RecordPage, Published, Outcome, Export, Hit, SearchResults, Sort, Kind, SteunpuntId)),
    modifiers(&BearerToken, &ErrorResponses, &Constraints),
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
            (
                "503",
                "too many connections to the API at once (code busy); try again shortly",
            ),
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

/// Adds what the server enforces but the types cannot say: the accepted forms of the
/// `kind` in a path, the patterns of IDs in a path, and the vocabularies of record fields
/// (refused when unknown, with the valid terms listed).
struct Constraints;

const ID_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,63}$";
const STEUNPUNT_PATTERN: &str = "^sp_[a-z2-7]{56}$";

fn text_schema(
    pattern: Option<&str>,
    values: Option<Vec<&str>>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    let mut builder = ObjectBuilder::new().schema_type(Type::String);
    if let Some(pattern) = pattern {
        builder = builder.pattern(Some(pattern));
    }
    if let Some(values) = values {
        builder = builder.enum_values(Some(values));
    }
    utoipa::openapi::RefOr::T(Schema::Object(builder.build()))
}

/// Sets the terms of `vocabulary` as the enum of a text field or of a list's items.
fn vocabulary_enum(
    schema: &mut utoipa::openapi::schema::Schema,
    field: &str,
    vocabulary: &steunpunt_protocol::vocab::Vocabulary,
) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayItems, Schema};
    let Schema::Object(object) = schema else {
        return;
    };
    let Some(RefOr::T(property)) = object.properties.get_mut(field) else {
        return;
    };
    let terms: Vec<&str> = vocabulary.terms.iter().map(|t| t.slug).collect();
    match property {
        Schema::Object(text) => {
            text.enum_values = Some(terms.into_iter().map(Into::into).collect())
        }
        Schema::Array(list) => {
            if let ArrayItems::RefOrSchema(items) = &mut list.items
                && let RefOr::T(Schema::Object(item)) = items.as_mut()
            {
                item.enum_values = Some(terms.into_iter().map(Into::into).collect());
            }
        }
        _ => {}
    }
}

impl utoipa::Modify for Constraints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use steunpunt_protocol::vocab;
        use utoipa::openapi::RefOr;
        let every_kind = vec![
            "vacancy",
            "vacancies",
            "organisation",
            "organisations",
            "profile",
            "profiles",
            "peering",
            "peerings",
        ];
        let own_kinds = vec!["vacancy", "vacancies", "organisation", "organisations"];
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (operation, writes) in [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.delete, true),
            ] {
                let Some(operation) = operation else { continue };
                for parameter in operation.parameters.iter_mut().flatten() {
                    let RefOr::T(parameter) = parameter else {
                        continue;
                    };
                    let schema = match parameter.name.as_str() {
                        "kind" if path.contains("/search/") || writes => {
                            text_schema(None, Some(own_kinds.clone()))
                        }
                        "kind" => text_schema(None, Some(every_kind.clone())),
                        "steunpunt" | "author" => text_schema(Some(STEUNPUNT_PATTERN), None),
                        "id" => text_schema(Some(ID_PATTERN), None),
                        _ => continue,
                    };
                    parameter.schema = Some(schema);
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let fields: [(&str, &str, &vocab::Vocabulary); 8] = [
            ("Vacancy", "categories", &vocab::CATEGORIES),
            ("Vacancy", "target_groups", &vocab::TARGET_GROUPS),
            ("Vacancy", "engagement", &vocab::ENGAGEMENTS),
            ("Vacancy", "time_of_day", &vocab::TIMES_OF_DAY),
            ("Organisation", "kind", &vocab::ORGANISATION_KINDS),
            ("Organisation", "expertise", &vocab::EXPERTISE),
            ("Organisation", "target_groups", &vocab::TARGET_GROUPS),
            ("Organisation", "relation", &vocab::RELATIONS),
        ];
        for (name, field, vocabulary) in fields {
            if let Some(RefOr::T(schema)) = components.schemas.get_mut(name) {
                vocabulary_enum(schema, field, vocabulary);
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
