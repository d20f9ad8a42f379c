//! Region-wide search: `GET /v1/search/{kind}`.

use axum::Json;
use axum::extract::State;
use steunpunt_api::{SearchQuery, SearchResults};
use steunpunt_protocol::Kind;

use super::extract::{Path, Query};
use super::{ApiError, ApiState, parse_kind, read};
use crate::actor::{View, now};
use crate::search::{Plan, SearchError, hits};

/// Searches the records of the whole trusted region.
#[utoipa::path(get, path = "/v1/search/{kind}", tag = "search", params(("kind" = String, Path, description = "vacancies or organisations (singular accepted)"), SearchQuery), responses((status = 200, description = "the results, best first", body = SearchResults), (status = 400, description = "a filter is wrong: the message names it")))]
pub(super) async fn search(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let kind = parse_kind(&kind)?;
    if !matches!(kind, Kind::Vacancy | Kind::Organisation) {
        return Err(ApiError::bad_request(
            "unknown_kind",
            "search vacancies or organisations",
        ));
    }
    let plan = Plan::new(kind, &query).map_err(search_error)?;
    let index = state.search.clone();
    let results = read(&state, move |handle| {
        let found = index.find(&plan, now()).map_err(search_error)?;
        hits(&View::new(handle), &found).map_err(search_error)
    })
    .await?;
    Ok(Json(SearchResults { results }))
}

fn search_error(e: SearchError) -> ApiError {
    match e {
        SearchError::BadQuery(m) => ApiError::bad_request("bad_query", m),
        SearchError::Store(e) => e.into(),
        SearchError::Index(e) => ApiError::internal(e),
        SearchError::Damaged(e) => ApiError::internal(e),
    }
}
