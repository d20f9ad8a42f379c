//! The local HTTP API (ARCHITECTURE.md, Interfaces): JSON under `/v1`, bearer token on everything that reads
//! or writes data, request bodies limited, Prometheus metrics at `/metrics`.

mod error;
mod extract;
mod metrics;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use libp2p::Multiaddr;
use serde::Deserialize;
use serde_json::{Value, json};
use steunpunt_protocol::body::{Organisation, Vacancy};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Date, Kind, RecordId, RecordKey, SteunpuntId, Timestamp};
use subtle::ConstantTimeEq as _;

pub use error::ApiError;
use extract::{JsonBody, Path, Query};
pub use metrics::EngineCollector;

use crate::actor::{ChangeError, NodeHandle, Stopped, View, now};
use crate::data_dir::PeerEntry;
use crate::network::Client;
use crate::replication::{Draft, DraftOutcome, PublishError};
use steunpunt_protocol::Record;

/// Largest request body: one record is at most 64 KiB; JSON is larger than CBOR.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Largest page of a list.
pub const MAX_PAGE: usize = 1000;

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
        .route("/v1/status", get(status))
        .route("/v1/peers", get(list_peers).post(add_peer))
        .route("/v1/peers/{steunpunt}", delete(remove_peer))
        .route("/v1/peers/{steunpunt}/block", post(block_peer))
        .route("/v1/records/{kind}", get(list_records).post(publish))
        .route("/v1/records/{kind}/{id}", delete(withdraw))
        .route("/v1/records/{kind}/{author}/{id}", get(get_record))
        .route("/v1/sync", post(sync_now))
        .route("/v1/search/{kind}", get(search))
        .route("/v1/export", get(export))
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

fn parse_kind(kind: &str) -> Result<Kind, ApiError> {
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

fn parse_steunpunt(text: &str) -> Result<SteunpuntId, ApiError> {
    text.parse()
        .map_err(|e: steunpunt_protocol::SteunpuntIdError| {
            ApiError::bad_request("bad_steunpunt_id", e.to_string())
        })
}

#[utoipa::path(get, path = "/v1/status", tag = "node", responses((status = 200, description = "steunpunt_id, peer_id, listen_addrs, connected peers, trusted steunpunten and record counts", body = serde_json::Value), (status = 401, description = "missing or wrong token")))]
async fn status(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let network = state.client.status().await.map_err(ApiError::internal)?;
    let summary = state.handle.summary();
    let counts: BTreeMap<&str, u64> = Kind::ALL
        .iter()
        .map(|k| (k.as_str(), summary.tally.live(*k)))
        .collect();
    let peers: Vec<Value> = network
        .peers
        .iter()
        .map(|p| json!({ "peer_id": p.to_string(), "steunpunt": summary.nodes.get(p).copied().flatten() }))
        .collect();
    Ok(Json(json!({
        "steunpunt_id": summary.me,
        "peer_id": network.peer_id,
        "listen_addrs": network.listen_addrs,
        "peers": peers,
        "trusted_steunpunten": summary.trust.len(),
        "trust": summary
            .trust
            .iter()
            .map(|(id, t)| json!({
                "steunpunt": id,
                "hops": t.hops,
                "vouched_by": t.path.len().checked_sub(2).map(|i| t.path[i]),
            }))
            .collect::<Vec<_>>(),
        "record_counts": counts,
        "withdrawn": summary.tally.withdrawn,
    })))
}

#[utoipa::path(get, path = "/v1/peers", tag = "peers", responses((status = 200, description = "neighbours added with peer add, with connection and trust state", body = serde_json::Value)))]
async fn list_peers(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let network = state.client.status().await.map_err(ApiError::internal)?;
    let summary = state.handle.summary();
    let list: Vec<Value> = summary
        .neighbours
        .iter()
        .map(|p| {
            let connected = p.peer_id().is_some_and(|id| network.peers.contains(&id));
            json!({
                "steunpunt": p.steunpunt,
                "label": p.label,
                "multiaddr": p.multiaddr.to_string(),
                "connected": connected,
                "trusted": summary.trust.get(&p.steunpunt),
            })
        })
        .collect();
    Ok(Json(json!({ "peers": list })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AddPeer {
    multiaddr: String,
    steunpunt: String,
    #[serde(default)]
    label: String,
}

/// The keeper's answer to a change: durable on disk (and gossiped) when it is `Ok`.
fn answered<T>(answer: Result<Result<T, ChangeError>, Stopped>) -> Result<T, ApiError> {
    match answer.map_err(ApiError::internal)? {
        Ok(value) => Ok(value),
        Err(ChangeError::Publish(e)) => Err(e.into()),
        Err(e @ ChangeError::Save(_)) => Err(ApiError::internal(e)),
    }
}

fn json_of(record: &Record) -> Result<Value, ApiError> {
    serde_json::to_value(record.to_json()).map_err(ApiError::internal)
}

#[utoipa::path(post, path = "/v1/peers", tag = "peers", request_body = AddPeer, responses((status = 201, description = "vouched for, dialled and kept dialling", body = serde_json::Value), (status = 400, description = "malformed steunpunt ID or multiaddress")))]
async fn add_peer(
    State(state): State<ApiState>,
    JsonBody(body): JsonBody<AddPeer>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let steunpunt = parse_steunpunt(&body.steunpunt)?;
    let multiaddr: Multiaddr = body.multiaddr.parse().map_err(|e| {
        ApiError::bad_request("bad_multiaddr", format!("`{}` is not a multiaddress ({e}); use one like /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW…", body.multiaddr))
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
        return Err(ApiError::bad_request(
            "missing_peer_id",
            "the multiaddress must end in /p2p/PEER_ID (the neighbour's `steunpunt status` shows it)",
        ));
    }
    let multiaddr = entry.multiaddr.to_string();
    let change = answered(state.handle.add_peer(entry).await)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "steunpunt": steunpunt,
            "multiaddr": multiaddr,
            "replaced": change.replaced.map(|a| a.to_string()),
        })),
    ))
}

#[utoipa::path(delete, path = "/v1/peers/{steunpunt}", tag = "peers", params(("steunpunt" = String, Path, description = "steunpunt ID")), responses((status = 200, description = "no longer vouched for or dialled", body = serde_json::Value)))]
async fn remove_peer(
    State(state): State<ApiState>,
    Path(steunpunt): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let steunpunt = parse_steunpunt(&steunpunt)?;
    answered(state.handle.remove_peer(steunpunt).await)?;
    Ok(Json(json!({ "removed": steunpunt })))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BlockPeer {
    #[serde(default)]
    label: String,
}

#[utoipa::path(post, path = "/v1/peers/{steunpunt}/block", tag = "peers", params(("steunpunt" = String, Path, description = "steunpunt ID")), request_body(content = Option<BlockPeer>), responses((status = 200, description = "blocked: never trusted, even through others", body = serde_json::Value)))]
async fn block_peer(
    State(state): State<ApiState>,
    Path(steunpunt): Path<String>,
    body: Option<Json<BlockPeer>>,
) -> Result<Json<Value>, ApiError> {
    let steunpunt = parse_steunpunt(&steunpunt)?;
    let label = body
        .map(|b| b.0.label)
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| steunpunt.short());
    answered(state.handle.block_peer(steunpunt, label).await)?;
    Ok(Json(json!({ "blocked": steunpunt })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    mine: bool,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    withdrawn: bool,
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/v1/records/{kind}", tag = "records", params(("kind" = String, Path, description = "vacancy, organisation, profile or peering (plural accepted)"), ListQuery), responses((status = 200, description = "a page of records in their JSON form", body = serde_json::Value)))]
async fn list_records(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = parse_kind(&kind)?;
    let limit = query.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            "bad_limit",
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    let mut author = query.author.as_deref().map(parse_steunpunt).transpose()?;
    if query.mine {
        let me = state.handle.summary().me;
        if author.is_some_and(|a| a != me) {
            return Ok(Json(
                json!({ "total": 0, "offset": query.offset, "records": [] }),
            ));
        }
        author = Some(me);
    }
    let withdrawn = query.withdrawn;
    let offset = query.offset;
    let (total, records) = read(&state, move |handle| {
        records_json(handle, kind, author, offset, limit, withdrawn)
    })
    .await?;
    Ok(Json(
        json!({ "total": total, "offset": query.offset, "records": records }),
    ))
}

#[utoipa::path(get, path = "/v1/records/{kind}/{author}/{id}", tag = "records", params(("kind" = String, Path), ("author" = String, Path, description = "steunpunt ID"), ("id" = String, Path)), responses((status = 200, description = "the record", body = serde_json::Value), (status = 404, description = "not held")))]
async fn get_record(
    State(state): State<ApiState>,
    Path((kind, author, id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let key = RecordKey {
        author: parse_steunpunt(&author)?,
        kind: parse_kind(&kind)?,
        id: RecordId::new(id).map_err(|e| ApiError::bad_request("bad_id", e))?,
    };
    let record = state.handle.get(&key)?.ok_or_else(|| {
        ApiError::not_found(format!("no {} `{}` by {}", key.kind, key.id, key.author))
    })?;
    Ok(Json(
        serde_json::to_value(record.to_json()).map_err(ApiError::internal)?,
    ))
}

/// Runs a read on a blocking thread, straight on the store: it holds up neither the
/// network nor the owner of the records.
async fn read<T: Send + 'static>(
    state: &ApiState,
    work: impl FnOnce(&NodeHandle) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let handle = state.handle.clone();
    tokio::task::spawn_blocking(move || work(&handle))
        .await
        .map_err(ApiError::internal)?
}

/// The JSON forms of the held, unexpired records of `kind` (of `author` when given;
/// withdrawals only when asked for), in key order: how many match, and the page from
/// `offset` of at most `limit`.
fn records_json(
    handle: &NodeHandle,
    kind: Kind,
    author: Option<SteunpuntId>,
    offset: usize,
    limit: usize,
    withdrawn: bool,
) -> Result<(usize, Vec<Value>), ApiError> {
    let now = now();
    let mut total = 0;
    let mut records = Vec::new();
    for envelope in handle.store().scan(kind, author.as_ref()) {
        let record = envelope
            .map_err(PublishError::Store)?
            .decode_stored()
            .map_err(|e| ApiError::internal(PublishError::Damaged(e)))?;
        let payload = record.payload();
        if payload.valid_until <= now || (payload.is_withdrawal() && !withdrawn) {
            continue;
        }
        if total >= offset && records.len() < limit {
            records.push(json_of(&record)?);
        }
        total += 1;
    }
    Ok((total, records))
}

/// Reads `valid_until` from a draft: a date (valid through that day) or a date and time.
fn parse_valid_until(value: &Value) -> Result<Timestamp, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "invalid_record",
            "valid_until: give a date like 2027-06-30 or a time like 2027-06-30T12:00:00Z",
        )
    };
    match value {
        Value::String(text) => match Date::parse(text) {
            Ok(date) => Ok(date.start().plus_ms(DAY_MS)),
            Err(_) => Timestamp::parse_rfc3339(text).map_err(|_| bad()),
        },
        Value::Number(n) => n.as_u64().map(Timestamp).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// Parses the body fields of a draft strictly: unknown fields are named, so a typo such as
/// `titel` is not silently dropped.
fn parse_body<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    let mut unknown = Vec::new();
    let parsed: Result<T, _> =
        serde_ignored::deserialize(value, |path| unknown.push(path.to_string()));
    let unknown_note = || {
        if unknown.is_empty() {
            String::new()
        } else {
            format!(
                "; unknown field(s): {} (check the spelling)",
                unknown.join(", ")
            )
        }
    };
    let parsed = parsed
        .map_err(|e| ApiError::bad_request("invalid_record", format!("{e}{}", unknown_note())))?;
    if !unknown.is_empty() {
        return Err(ApiError::bad_request(
            "unknown_field",
            format!(
                "unknown field(s): {}; check the spelling against the documented field names",
                unknown.join(", ")
            ),
        ));
    }
    Ok(parsed)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PublishQuery {
    /// Check the draft as if publishing it, but change nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Publishes a draft of one of our vacancies or organisations. A draft that says what the
/// live revision says changes nothing (`outcome: unchanged`), so imports can be repeated.
#[utoipa::path(post, path = "/v1/records/{kind}", tag = "records", params(("kind" = String, Path, description = "vacancy or organisation"), PublishQuery), request_body(content = Vacancy, description = "the body fields, plus optional `id` and `valid_until` (a date or date-time); an organisation takes the Organisation fields"), responses((status = 201, description = "the record with `outcome` (new, updated or unchanged); durable unless dry_run", body = serde_json::Value), (status = 400, description = "field path, what is wrong and what is allowed")))]
async fn publish(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<PublishQuery>,
    JsonBody(draft): JsonBody<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = parse_kind(&kind)?;
    let Value::Object(mut fields) = draft else {
        return Err(ApiError::bad_request(
            "invalid_record",
            "send one JSON object with the record's fields",
        ));
    };
    let given_id = fields.remove("id");
    let valid_until = fields
        .remove("valid_until")
        .map(|v| parse_valid_until(&v))
        .transpose()?;
    let body = match kind {
        Kind::Vacancy => Body::Vacancy(parse_body::<Vacancy>(Value::Object(fields))?),
        Kind::Organisation => {
            Body::Organisation(parse_body::<Organisation>(Value::Object(fields))?)
        }
        Kind::Profile | Kind::Peering => {
            return Err(ApiError::bad_request(
                "not_publishable",
                format!(
                    "the {kind} record is managed by the node: edit config.toml for the profile, use /v1/peers for peering"
                ),
            ));
        }
    };
    let id = match given_id {
        Some(Value::String(id)) => RecordId::new(id)
            .map_err(|e| ApiError::bad_request("invalid_record", format!("id: {e}")))?,
        Some(_) => return Err(ApiError::bad_request("invalid_record", "id: must be text")),
        None => {
            let title = match &body {
                Body::Vacancy(v) => &v.title,
                Body::Organisation(o) => &o.name,
                _ => unreachable!("only vacancies and organisations are published here"),
            };
            RecordId::slugify(title).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_record",
                    "id: give an id, or a title from which one can be made",
                )
            })?
        }
    };
    let draft = Draft {
        kind,
        id,
        body,
        valid_until,
    };
    let dry_run = query.dry_run;
    let (record, outcome) = answered(state.handle.publish(draft, dry_run).await)?;
    let mut json = json_of(&record)?;
    json["outcome"] = json!(outcome);
    json["dry_run"] = json!(dry_run);
    let status = if outcome == DraftOutcome::New && !dry_run {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json)))
}

#[utoipa::path(delete, path = "/v1/records/{kind}/{id}", tag = "records", params(("kind" = String, Path), ("id" = String, Path)), responses((status = 200, description = "the withdrawal, durable", body = serde_json::Value), (status = 404, description = "no such own record")))]
async fn withdraw(
    State(state): State<ApiState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let kind = parse_kind(&kind)?;
    let id = RecordId::new(id).map_err(|e| ApiError::bad_request("bad_id", e))?;
    let record = answered(state.handle.withdraw(kind, id).await)?;
    Ok(Json(json_of(&record)?))
}

#[utoipa::path(post, path = "/v1/sync", tag = "node", responses((status = 200, description = "how many syncs were started", body = serde_json::Value)))]
async fn sync_now(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let started = state.handle.sync_now().await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "started": started })))
}

#[utoipa::path(get, path = "/v1/search/{kind}", tag = "search", params(("kind" = String, Path, description = "vacancies or organisations"), crate::search::SearchQuery), responses((status = 200, description = "results with steunpunt, hops, vouched_by, distance_km and score", body = serde_json::Value), (status = 400, description = "bad filter")))]
async fn search(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<crate::search::SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = parse_kind(&kind)?;
    if !matches!(kind, Kind::Vacancy | Kind::Organisation) {
        return Err(ApiError::bad_request(
            "unknown_kind",
            "search vacancies or organisations",
        ));
    }
    let plan = crate::search::Plan::new(kind, &query).map_err(search_error)?;
    let index = state.search.clone();
    let hits = read(&state, move |handle| {
        let found = index.find(&plan, now()).map_err(search_error)?;
        crate::search::hits(&View::new(handle), &found).map_err(search_error)
    })
    .await?;
    Ok(Json(json!({ "results": hits })))
}

fn search_error(e: crate::search::SearchError) -> ApiError {
    match e {
        crate::search::SearchError::BadQuery(m) => ApiError::bad_request("bad_query", m),
        crate::search::SearchError::Store(e) => e.into(),
        crate::search::SearchError::Index(e) => ApiError::internal(e),
        crate::search::SearchError::Damaged(e) => ApiError::internal(e),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    #[serde(default)]
    mine: bool,
    #[serde(default)]
    kind: Option<String>,
}

/// Every live record (or only ours), vacancies and organisations unless a kind is named,
/// in the JSON form that publishing accepts.
#[utoipa::path(get, path = "/v1/export", tag = "records", params(ExportQuery), responses((status = 200, description = "every live vacancy and organisation (or only ours) in the JSON form that publishing accepts", body = serde_json::Value)))]
async fn export(
    State(state): State<ApiState>,
    Query(query): Query<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let kinds = match &query.kind {
        Some(k) => vec![parse_kind(k)?],
        None => vec![Kind::Organisation, Kind::Vacancy],
    };
    let author = query.mine.then(|| state.handle.summary().me);
    // Read and serialised on a blocking thread: a large export holds up no other request.
    let body = read(&state, move |handle| {
        let mut all = Vec::new();
        for kind in kinds {
            all.extend(records_json(handle, kind, author, 0, usize::MAX, false)?.1);
        }
        serde_json::to_vec(&json!({ "records": all })).map_err(ApiError::internal)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}

/// The OpenAPI document of this API.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Steunpunt Federatie node API", description = "The local API of steunpuntd. Every /v1 endpoint except this document needs `Authorization: Bearer TOKEN` with the token from DATA_DIR/api.token."),
    paths(status, list_peers, add_peer, remove_peer, block_peer, list_records, get_record, publish, withdraw, sync_now, search, export),
    components(schemas(Vacancy, Organisation, ErrorBody, ErrorDetail)),
    modifiers(&BearerToken, &ErrorResponses),
    security(("token" = [])),
)]
pub struct ApiDoc;

struct BearerToken;

/// The body of every error answer.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes `ApiError`'s JSON form for the OpenAPI document
struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorDetail {
    /// Stable machine-readable code, such as `invalid_record` or `unauthorized`.
    code: String,
    /// What went wrong and what to do, for a person.
    message: String,
}

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
