//! The public site (`[public]` in `config.toml`): the region's vacancies for volunteers,
//! pupils and parents, on the steunpunt's own address, in Dutch, without JavaScript.
//!
//! It is a separate listener with its own router and no way to the API: it reads the
//! records and the search index through the same [`NodeHandle`] and [`SearchIndex`] the
//! API uses, and can change nothing. What it shows is the part of the region the
//! configuration names (own records, or up to `public.hops` vouching steps), unexpired
//! and not withdrawn: a withdrawal that reaches the node is gone from every page at the
//! next request (pages are revalidated with their ETag, never cached blind).
//!
//! Bounds: requests per minute per client address (an IPv6 client by its /64), one
//! request's time, the length of its address, searches at once, and the connections and
//! header timeout of [`crate::api::serve`].

mod feeds;
mod layers;
pub mod pages;
pub mod query;

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use maud::Markup;
use steunpunt_api::schema_org::{compact, job_posting, organisation_index};
use steunpunt_api::{Hit, RecordView, SearchQuery, Sort};
use steunpunt_protocol::body::{Body as RecordBody, Profile};
use steunpunt_protocol::{Kind, Record, RecordId, RecordKey, SteunpuntId};
use tokio::sync::{Semaphore, watch};

use crate::actor::{NodeHandle, View};
use crate::clock::now;
use crate::config::{PublicConfig, Show};
use crate::replication::HeldRecords as _;
use crate::search::{Plan, SearchError, SearchIndex, hits};
use layers::{bounds, headers_and_etag};
use pages::Look;
use query::{DEFAULT_SHOWN, FieldError, Form, MAX_SHOWN, MAX_WIDGET};

/// Longest request address (path and query) the site reads.
pub const MAX_URI_BYTES: usize = 2048;
/// One request's time, searching included.
pub const REQUEST_TIME: Duration = Duration::from_secs(10);
/// How long a request waits for a turn to search before the site says it is busy.
const SEARCH_WAIT: Duration = Duration::from_secs(5);
/// Largest logo file.
pub const MAX_LOGO_BYTES: u64 = 256 * 1024;
/// Largest answer the site makes (a page of 100 results is far below it).
const MAX_ANSWER_BYTES: usize = 8 << 20;
/// Feed entries when no `aantal` is given.
const FEED_SIZE: usize = 50;
/// Widget entries when no `aantal` is given.
const WIDGET_SIZE: usize = 5;

/// The site's style sheet; `{colour}` is the configured main colour.
const STYLE: &str = include_str!("site.css");

/// Everything the site's handlers share.
#[derive(Clone)]
pub struct Site {
    handle: NodeHandle,
    search: SearchIndex,
    searching: Arc<Semaphore>,
    show: Show,
    hops: u8,
    title: Arc<str>,
    base: Arc<str>,
    logo: Option<Logo>,
    style: Arc<str>,
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Why the site could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// The logo file.
    #[error("cannot use public.logo {path}: {problem}")]
    Logo {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

/// A logo: its bytes and media type.
pub type Logo = (Arc<[u8]>, &'static str);

/// The configured logo, read and checked (at start, before anything else runs, so a
/// wrong file stops the start with its reason).
pub fn read_logo(
    config: &PublicConfig,
    data_dir: &std::path::Path,
) -> Result<Option<Logo>, SiteError> {
    config
        .logo
        .as_ref()
        .map(|p| logo_file(&data_dir.join(p)))
        .transpose()
}

fn logo_file(path: &std::path::Path) -> Result<Logo, SiteError> {
    let fail = |problem: String| SiteError::Logo {
        path: path.display().to_string(),
        problem,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(e.to_string()))?
        .len();
    if size > MAX_LOGO_BYTES {
        return Err(fail(format!(
            "it is {size} bytes; at most {MAX_LOGO_BYTES} bytes (256 KiB) are allowed"
        )));
    }
    let media = crate::config::logo_media_type(path)
        .ok_or_else(|| fail("it must be a .png, .jpg, .webp or .svg file".into()))?;
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    Ok((bytes.into(), media))
}

impl Site {
    /// The site of `config` for the node behind `handle`, with the `logo` of
    /// [`read_logo`]; `listen` is the address it is served on (the base of its links
    /// unless `public.base_url` is set).
    pub fn new(
        config: &PublicConfig,
        steunpunt_name: &str,
        handle: NodeHandle,
        search: SearchIndex,
        logo: Option<Logo>,
        listen: SocketAddr,
    ) -> Self {
        let title = if config.title.trim().is_empty() {
            steunpunt_name.to_owned()
        } else {
            config.title.trim().to_owned()
        };
        let base = if config.base_url.is_empty() {
            format!("http://{listen}")
        } else {
            config.base_url.trim_end_matches('/').to_owned()
        };
        let per_minute = NonZeroU32::new(config.requests_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            handle,
            search,
            searching: Arc::new(Semaphore::new(crate::api::searches_at_once())),
            show: config.show,
            hops: config.hops,
            title: title.into(),
            base: base.into(),
            logo,
            style: STYLE.replace("{colour}", &config.colour).into(),
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
        }
    }

    fn look(&self) -> Look {
        let summary = self.handle.summary();
        let profile = View::new(&self.handle).profile(summary.me).ok().flatten();
        Look {
            title: self.title.to_string(),
            steunpunt: profile
                .as_ref()
                .map_or_else(|| self.title.to_string(), |p| p.name.clone()),
            logo: self.logo.is_some(),
            own_only: self.show == Show::Own,
            region: profile.and_then(|p: Profile| p.region),
        }
    }

    /// Whether records of `author` are shown.
    fn shows(&self, author: &SteunpuntId) -> bool {
        let summary = self.handle.summary();
        match self.show {
            Show::Own => *author == summary.me,
            Show::Region => summary
                .trust
                .get(author)
                .is_some_and(|t| t.hops <= self.hops),
        }
    }

    /// The shown part of the region as a search restriction; none when it is all the
    /// node holds (`public.hops` reaches as far as trust does), so a search does not
    /// carry a tag per trusted steunpunt for nothing.
    fn restrict(&self, plan: &mut Plan) {
        let summary = self.handle.summary();
        plan.me = Some(summary.me);
        plan.authors = match self.show {
            Show::Own => Some(vec![summary.me]),
            Show::Region if summary.trust.iter().all(|(_, t)| t.hops <= self.hops) => None,
            Show::Region => Some(
                summary
                    .trust
                    .iter()
                    .filter(|(_, t)| t.hops <= self.hops)
                    .map(|(id, _)| *id)
                    .chain(std::iter::once(summary.me))
                    .collect(),
            ),
        };
    }

    /// A held record of the shown part of the region that is neither withdrawn nor
    /// expired.
    fn live(&self, key: &RecordKey) -> Option<(Record, RecordView)> {
        if !self.shows(&key.author) {
            return None;
        }
        let record = self.handle.get(key).ok().flatten()?;
        let view = RecordView::from(&record);
        (!view.withdrawn && view.valid_until > now() && view.body.is_some())
            .then_some((record, view))
    }

    /// The shown record a page's path names (`author`, `id` as given), if there is one.
    fn live_at(
        &self,
        kind: Kind,
        author: &str,
        id: &str,
    ) -> Option<(RecordKey, Record, RecordView)> {
        let key = RecordKey {
            author: author.parse().ok()?,
            kind,
            id: RecordId::new(id.to_owned()).ok()?,
        };
        let (record, view) = self.live(&key)?;
        Some((key, record, view))
    }

    /// The vacancies that answer `query`, best first, and how many answer in all.
    async fn find(&self, query: SearchQuery) -> Result<(Vec<Hit>, usize), Failure> {
        let mut plan = Plan::new(Kind::Vacancy, &query).map_err(Failure::from)?;
        self.restrict(&mut plan);
        self.handle
            .own_changes_searchable()
            .await
            .map_err(|_| Failure::Unavailable)?;
        let _turn = tokio::time::timeout(SEARCH_WAIT, self.searching.acquire())
            .await
            .map_err(|_| Failure::Busy)?
            .map_err(|_| Failure::Unavailable)?;
        let index = self.search.clone();
        let handle = self.handle.clone();
        tokio::task::spawn_blocking(move || {
            let (found, total) = index.find(&plan, now())?;
            let mut hits = hits(&View::new(&handle), &found)?;
            for hit in &mut hits {
                name_organisation(&handle, hit);
            }
            Ok::<_, SearchError>((hits, total))
        })
        .await
        .map_err(|_| Failure::Unavailable)?
        .map_err(Failure::from)
    }
}

/// Gives a vacancy that names its organisation only by id that organisation's name, for
/// showing (a volunteer reads who asks, not an id).
fn name_organisation(handle: &NodeHandle, hit: &mut Hit) {
    let author = hit.record.author;
    let Some(RecordBody::Vacancy(v)) = &mut hit.record.body else {
        return;
    };
    if v.organisation.name.is_some() {
        return;
    }
    let Some(id) = v.organisation.id.clone() else {
        return;
    };
    let key = RecordKey {
        author,
        kind: Kind::Organisation,
        id,
    };
    if let Ok(Some(record)) = handle.get(&key)
        && let Some(RecordBody::Organisation(org)) = &record.payload().body
    {
        v.organisation.name = Some(org.name.clone());
    }
}

/// Why a page cannot be shown.
enum Failure {
    /// The visitor's form is wrong.
    Field(FieldError),
    /// Too many searches at once.
    Busy,
    /// The node is stopping, or its store failed.
    Unavailable,
}

impl From<SearchError> for Failure {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::BadQuery(problem) => Failure::Field(query::from_problem(&problem)),
            other => {
                tracing::warn!("public site: search failed: {other}");
                Failure::Unavailable
            }
        }
    }
}

/// The site's routes, with its bounds and headers.
pub fn router(site: Site) -> Router {
    Router::new()
        .route("/", get(search_page))
        .route("/vacature/{author}/{id}", get(vacancy_page))
        .route("/organisatie/{author}/{id}", get(organisation_page))
        .route("/widget", get(widget))
        .route("/insluiten", get(embed))
        .route("/feed.atom", get(feed_atom))
        .route("/feed.json", get(feed_json))
        .route("/site.css", get(style))
        .route("/logo", get(logo))
        .route("/robots.txt", get(robots))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "GET, HEAD")],
                "Deze website kan alleen gelezen worden.",
            )
        })
        .layer(middleware::from_fn(headers_and_etag))
        .layer(middleware::from_fn_with_state(site.clone(), bounds))
        .with_state(site)
}

/// Serves the site on `listener` until `shutdown`; spends a minute's idle time forgetting
/// clients that stopped asking.
pub async fn serve(listener: tokio::net::TcpListener, site: Site, shutdown: watch::Receiver<bool>) {
    let limiter = Arc::clone(&site.limiter);
    let mut stop = shutdown.clone();
    let forget = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tick.tick() => {
                    limiter.retain_recent();
                    limiter.shrink_to_fit();
                }
            }
        }
    });
    crate::api::serve::serve_public(listener, router(site), shutdown).await;
    let _ = forget.await;
}

fn html_answer(status: StatusCode, page: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}

fn failure_answer(site: &Site, failure: Failure) -> Response {
    let look = site.look();
    match failure {
        Failure::Field(e) => html_answer(
            StatusCode::BAD_REQUEST,
            pages::notice(&look, "Controleer uw zoekopdracht", &e.message),
        ),
        Failure::Busy => html_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            pages::notice(
                &look,
                "Het is erg druk",
                "Er wordt nu veel gezocht. Probeer het over een paar seconden opnieuw.",
            ),
        ),
        Failure::Unavailable => html_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            pages::notice(
                &look,
                "Even niet beschikbaar",
                "De vacatures kunnen nu niet getoond worden. Probeer het straks opnieuw.",
            ),
        ),
    }
}

/// The form in the address, or what is wrong with it.
fn read_form(raw: Option<&str>) -> Result<Form, FieldError> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| FieldError {
        field: "wat",
        message: "dit zoekadres kunnen we niet lezen; begin een nieuwe zoekopdracht".into(),
    })
}

async fn search_page(State(site): State<Site>, RawQuery(raw): RawQuery) -> Response {
    let look = site.look();
    let form = match read_form(raw.as_deref()) {
        Ok(form) => form,
        Err(e) => {
            let page = pages::search_page(&look, &Form::default(), Err(&e), DEFAULT_SHOWN);
            return html_answer(StatusCode::BAD_REQUEST, page);
        }
    };
    let outcome = form
        .count(DEFAULT_SHOWN, MAX_SHOWN)
        .and_then(|n| Ok((n, form.query(n, None)?)));
    let (shown, query) = match outcome {
        Ok(ok) => ok,
        Err(e) => {
            let page = pages::search_page(&look, &form, Err(&e), DEFAULT_SHOWN);
            return html_answer(StatusCode::BAD_REQUEST, page);
        }
    };
    match site.find(query).await {
        Ok((hits, total)) => html_answer(
            StatusCode::OK,
            pages::search_page(&look, &form, Ok((&hits, total)), shown),
        ),
        Err(Failure::Field(e)) => html_answer(
            StatusCode::BAD_REQUEST,
            pages::search_page(&look, &form, Err(&e), shown),
        ),
        Err(other) => failure_answer(&site, other),
    }
}

fn gone(site: &Site, what: &str) -> Response {
    html_answer(StatusCode::NOT_FOUND, pages::not_found(&site.look(), what))
}

fn publisher(site: &Site, author: SteunpuntId) -> Option<String> {
    View::new(&site.handle)
        .profile(author)
        .ok()
        .flatten()
        .map(|p| p.name)
}

async fn vacancy_page(
    State(site): State<Site>,
    Path((author, id)): Path<(String, String)>,
) -> Response {
    let missing = "Deze vacature is er niet (meer)";
    let Some((key, record, view)) = site.live_at(Kind::Vacancy, &author, &id) else {
        return gone(&site, missing);
    };
    let Some(RecordBody::Vacancy(vacancy)) = &record.payload().body else {
        return gone(&site, missing);
    };
    let organisation = vacancy
        .organisation
        .id
        .as_ref()
        .and_then(|id| {
            site.live(&RecordKey {
                author: key.author,
                kind: Kind::Organisation,
                id: id.clone(),
            })
        })
        .map(|(_, view)| view);
    let org_json: Vec<serde_json::Value> = organisation
        .iter()
        .filter_map(|o| serde_json::to_value(o).ok())
        .collect();
    let mut posting = serde_json::to_value(&view)
        .map(|v| compact(job_posting(&v, &organisation_index(&org_json))))
        .unwrap_or_default();
    if let Some(map) = posting.as_object_mut() {
        map.insert("@context".into(), "https://schema.org".into());
    }
    let page = pages::vacancy_page(
        &site.look(),
        &view,
        vacancy,
        organisation.as_ref(),
        publisher(&site, key.author).as_deref(),
        &pages::json_ld_script(&posting),
    );
    html_answer(StatusCode::OK, page)
}

async fn organisation_page(
    State(site): State<Site>,
    Path((author, id)): Path<(String, String)>,
) -> Response {
    let missing = "Deze organisatie staat hier niet (meer)";
    let Some((key, record, _)) = site.live_at(Kind::Organisation, &author, &id) else {
        return gone(&site, missing);
    };
    let Some(RecordBody::Organisation(org)) = &record.payload().body else {
        return gone(&site, missing);
    };
    let page = pages::organisation_page(&site.look(), org, publisher(&site, key.author).as_deref());
    html_answer(StatusCode::OK, page)
}

/// The form's results for a widget or feed: `default` of them unless `aantal` says,
/// newest first unless `sortering` says.
async fn latest(site: &Site, form: &Form, default: usize, max: usize) -> Result<Vec<Hit>, Failure> {
    let n = form.count(default, max).map_err(Failure::Field)?;
    let sort = form.sortering.trim().is_empty().then_some(Sort::Recent);
    let query = form.query(n, sort).map_err(Failure::Field)?;
    Ok(site.find(query).await?.0)
}

async fn widget(State(site): State<Site>, RawQuery(raw): RawQuery) -> Response {
    let form = match read_form(raw.as_deref()) {
        Ok(form) => form,
        Err(e) => return failure_answer(&site, Failure::Field(e)),
    };
    let look = site.look();
    let heading = if form.kop.trim().is_empty() {
        format!("Vrijwilligerswerk via {}", look.title)
    } else {
        form.kop.trim().chars().take(80).collect()
    };
    match latest(&site, &form, WIDGET_SIZE, MAX_WIDGET).await {
        Ok(hits) => {
            let search = Form {
                aantal: String::new(),
                kop: String::new(),
                ..form
            };
            let more = format!("{}/?{}", site.base, search.to_query_string());
            html_answer(StatusCode::OK, pages::widget(&look, &heading, &hits, &more))
        }
        Err(failure) => failure_answer(&site, failure),
    }
}

async fn embed(State(site): State<Site>, RawQuery(raw): RawQuery) -> Response {
    let look = site.look();
    let form = read_form(raw.as_deref());
    let checked = form.as_ref().map_err(Clone::clone).and_then(|f| {
        f.count(WIDGET_SIZE, MAX_WIDGET)?;
        f.query(WIDGET_SIZE, None).map(|_| ())
    });
    let form = form.unwrap_or_default();
    let qs = form.to_query_string();
    let snippet = format!(
        "<iframe src=\"{}/widget{}{qs}\" title=\"Vrijwilligerswerk via {}\" style=\"width:100%;height:32rem;border:0\" loading=\"lazy\"></iframe>",
        site.base,
        if qs.is_empty() { "" } else { "?" },
        look.title.replace('"', "&quot;")
    );
    let preview = format!("/widget{}{qs}", if qs.is_empty() { "" } else { "?" });
    let error = checked.as_ref().err();
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html_answer(
        status,
        pages::embed_page(&look, &form, error, &snippet, &preview),
    )
}

fn about_urls(site: &Site, form: &Form, file: &str) -> (String, String) {
    let qs = form.to_query_string();
    let sep = if qs.is_empty() { "" } else { "?" };
    let page_form = Form {
        aantal: String::new(),
        ..form.clone()
    };
    let page_qs = page_form.to_query_string();
    (
        format!("{}/{file}{sep}{qs}", site.base),
        format!(
            "{}/{}{}",
            site.base,
            if page_qs.is_empty() { "" } else { "?" },
            page_qs
        ),
    )
}

/// A feed's format.
#[derive(Clone, Copy)]
enum FeedFormat {
    Atom,
    Json,
}

async fn feed_atom(State(site): State<Site>, RawQuery(raw): RawQuery) -> Response {
    feed(&site, raw.as_deref(), FeedFormat::Atom).await
}

async fn feed_json(State(site): State<Site>, RawQuery(raw): RawQuery) -> Response {
    feed(&site, raw.as_deref(), FeedFormat::Json).await
}

/// The newest vacancies of the form's query as a feed.
async fn feed(site: &Site, raw: Option<&str>, format: FeedFormat) -> Response {
    let form = match read_form(raw) {
        Ok(form) => form,
        Err(e) => return failure_answer(site, Failure::Field(e)),
    };
    let hits = match latest(site, &form, FEED_SIZE, MAX_SHOWN).await {
        Ok(hits) => hits,
        Err(failure) => return failure_answer(site, failure),
    };
    let file = match format {
        FeedFormat::Atom => "feed.atom",
        FeedFormat::Json => "feed.json",
    };
    let (this, page) = about_urls(site, &form, file);
    let about = feeds::About {
        title: &format!("Nieuwe vacatures – {}", site.title),
        site: &site.title,
        base: &site.base,
        this: &this,
        page: &page,
    };
    let (media, body) = match format {
        FeedFormat::Atom => (
            "application/atom+xml; charset=utf-8",
            feeds::atom(&about, &hits, now()),
        ),
        FeedFormat::Json => (
            "application/feed+json; charset=utf-8",
            feeds::json_feed(&about, &hits).to_string(),
        ),
    };
    ([(header::CONTENT_TYPE, media)], body).into_response()
}

async fn style(State(site): State<Site>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        site.style.to_string(),
    )
        .into_response()
}

async fn logo(State(site): State<Site>) -> Response {
    match &site.logo {
        Some((bytes, media)) => (
            [
                (header::CONTENT_TYPE, *media),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes.to_vec(),
        )
            .into_response(),
        None => gone(&site, "Geen logo"),
    }
}

async fn robots() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nAllow: /\nDisallow: /widget\n",
    )
        .into_response()
}

async fn not_found(State(site): State<Site>) -> Response {
    gone(&site, "Deze pagina bestaat niet")
}
