//! A blocking client for one node's API: the address and token come from the node's data
//! directory (or are given), every answer is read into its type, and failures become
//! sentences that say what to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use steunpunt_protocol::{Kind, RecordKey};

use crate::{
    AddPeer, BlockPeer, Draft, ErrorBody, Export, ExportQuery, ListQuery, PeerAdded, PeerBlocked,
    PeerList, PeerRemoved, PublishQuery, Published, RecordPage, RecordView, Region, SearchQuery,
    SearchResults, Status, SyncStarted, files,
};

/// How long one call may take before the client gives up.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Why a call to the node failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No `api.addr`: the node was never started, or is stopped.
    #[error("the node is not running (no {0}); start it with `steunpuntd --data-dir {1}`")]
    NotRunning(String, String),
    /// The address does not answer.
    #[error(
        "the node at {0} does not answer; is steunpuntd running? Start it with `steunpuntd --data-dir {1}`"
    )]
    Unreachable(String, String),
    /// The token was refused.
    #[error(
        "the node refused the API token; check that --data-dir points at this node's data directory ({0})"
    )]
    Unauthorized(String),
    /// The node answered with an error body.
    #[error("{message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The error's stable code.
        code: String,
        /// The node's message.
        message: String,
        /// For a refused record: each problem, to word in the client's language.
        problems: Vec<crate::Problem>,
    },
    /// The answer was not the type this client expects: node and client differ in version.
    #[error(
        "the node's answer to {path} is not what this version expects ({reason}); are steunpunt and steunpuntd the same version?"
    )]
    Unexpected {
        /// The endpoint.
        path: String,
        /// What did not fit.
        reason: String,
    },
    /// Anything else.
    #[error("talking to the node failed: {0}")]
    Other(String),
}

/// A client for one node.
#[derive(Clone)]
pub struct Client {
    base: String,
    token: String,
    shown_dir: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of logs and panics.
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// A path segment, percent-encoded.
fn segment(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').replace('+', "%20"))
        .unwrap_or_default()
}

impl Client {
    /// Connects to the node whose data directory is `data_dir`.
    pub fn connect(data_dir: &Path) -> Result<Self, ClientError> {
        let shown = data_dir.display().to_string();
        let addr_path = data_dir.join(files::API_ADDR);
        let addr = read_trimmed(&addr_path).ok_or_else(|| {
            ClientError::NotRunning(addr_path.display().to_string(), shown.clone())
        })?;
        let token = read_trimmed(&data_dir.join(files::API_TOKEN))
            .ok_or_else(|| ClientError::Unauthorized(shown.clone()))?;
        Ok(Self::new(&addr, &token, data_dir))
    }

    /// A client for the API at `addr` (`127.0.0.1:7300`) with `token`; `data_dir` is only
    /// named in messages.
    pub fn new(addr: &str, token: &str, data_dir: &Path) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Self {
            base: format!("http://{addr}"),
            token: token.to_owned(),
            shown_dir: PathBuf::from(data_dir).display().to_string(),
            agent,
        }
    }

    /// The API's base URL, `http://ADDR`.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str, query: &impl Serialize) -> Result<String, ClientError> {
        let query =
            serde_urlencoded::to_string(query).map_err(|e| ClientError::Other(e.to_string()))?;
        Ok(if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{query}", self.base)
        })
    }

    fn answer<T: DeserializeOwned>(
        &self,
        path: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, ClientError> {
        let mut response = result.map_err(|e| match e {
            ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                ClientError::Unreachable(self.base.clone(), self.shown_dir.clone())
            }
            other => ClientError::Other(other.to_string()),
        })?;
        let status = response.status();
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| ClientError::Other(e.to_string()))?;
        if status.as_u16() == 401 {
            return Err(ClientError::Unauthorized(self.shown_dir.clone()));
        }
        if !status.is_success() {
            return Err(match serde_json::from_slice::<ErrorBody>(&body) {
                Ok(error) => ClientError::Refused {
                    status: status.as_u16(),
                    code: error.error.code,
                    message: error.error.message,
                    problems: error.error.problems,
                },
                Err(_) => ClientError::Refused {
                    status: status.as_u16(),
                    code: String::new(),
                    message: format!("the node answered {status}"),
                    problems: Vec::new(),
                },
            });
        }
        serde_json::from_slice(&body).map_err(|e| ClientError::Unexpected {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }

    fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &impl Serialize,
    ) -> Result<T, ClientError> {
        let request = self
            .agent
            .get(self.url(path, query)?)
            .header("Authorization", format!("Bearer {}", self.token));
        self.answer(path, request.call())
    }

    fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &impl Serialize,
        body: Option<&impl Serialize>,
    ) -> Result<T, ClientError> {
        let request = self
            .agent
            .post(self.url(path, query)?)
            .header("Authorization", format!("Bearer {}", self.token));
        let result = match body {
            Some(body) => request.send_json(body),
            None => request.send_empty(),
        };
        self.answer(path, result)
    }

    fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let request = self
            .agent
            .delete(self.url(path, &())?)
            .header("Authorization", format!("Bearer {}", self.token));
        self.answer(path, request.call())
    }

    /// `GET /v1/status`.
    pub fn status(&self) -> Result<Status, ClientError> {
        self.get("/v1/status", &())
    }

    /// `GET /v1/region`.
    pub fn region(&self) -> Result<Region, ClientError> {
        self.get("/v1/region", &())
    }

    /// `GET /v1/peers`.
    pub fn peers(&self) -> Result<PeerList, ClientError> {
        self.get("/v1/peers", &())
    }

    /// `POST /v1/peers`.
    pub fn add_peer(&self, peer: &AddPeer) -> Result<PeerAdded, ClientError> {
        self.post("/v1/peers", &(), Some(peer))
    }

    /// `DELETE /v1/peers/{steunpunt}`.
    pub fn remove_peer(&self, steunpunt: &str) -> Result<PeerRemoved, ClientError> {
        self.delete(&format!("/v1/peers/{}", segment(steunpunt)))
    }

    /// `POST /v1/peers/{steunpunt}/block`.
    pub fn block_peer(
        &self,
        steunpunt: &str,
        block: &BlockPeer,
    ) -> Result<PeerBlocked, ClientError> {
        self.post(
            &format!("/v1/peers/{}/block", segment(steunpunt)),
            &(),
            Some(block),
        )
    }

    /// `GET /v1/records/{kind}`.
    pub fn records(&self, kind: Kind, query: &ListQuery) -> Result<RecordPage, ClientError> {
        self.get(&format!("/v1/records/{kind}"), query)
    }

    /// Every record `query` matches (its `offset` and `limit` aside), read page by page,
    /// keeping those `keep` accepts.
    pub fn records_where(
        &self,
        kind: Kind,
        query: &ListQuery,
        mut keep: impl FnMut(&RecordView) -> bool,
    ) -> Result<Vec<RecordView>, ClientError> {
        let mut kept = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.records(
                kind,
                &ListQuery {
                    offset,
                    limit: Some(crate::MAX_PAGE),
                    ..query.clone()
                },
            )?;
            let read = page.records.len();
            kept.extend(page.records.into_iter().filter(|r| keep(r)));
            offset += read;
            if read == 0 || offset >= page.total {
                return Ok(kept);
            }
        }
    }

    /// `GET /v1/records/{kind}/{author}/{id}`.
    pub fn record(&self, key: &RecordKey) -> Result<RecordView, ClientError> {
        self.get(
            &format!(
                "/v1/records/{}/{}/{}",
                key.kind,
                key.author,
                segment(key.id.as_str())
            ),
            &(),
        )
    }

    /// `POST /v1/records/{kind}`: publishes a draft (or only checks it, with `dry_run`).
    pub fn publish(
        &self,
        kind: Kind,
        draft: &Draft,
        dry_run: bool,
    ) -> Result<Published, ClientError> {
        self.post(
            &format!("/v1/records/{kind}"),
            &PublishQuery { dry_run },
            Some(draft),
        )
    }

    /// `DELETE /v1/records/{kind}/{id}`: withdraws one of our records.
    pub fn withdraw(&self, kind: Kind, id: &str) -> Result<RecordView, ClientError> {
        self.delete(&format!("/v1/records/{kind}/{}", segment(id)))
    }

    /// `POST /v1/sync`.
    pub fn sync(&self) -> Result<SyncStarted, ClientError> {
        self.post("/v1/sync", &(), None::<&()>)
    }

    /// `GET /metrics` in Prometheus' classic text format (counts only, no token needed).
    pub fn metrics(&self) -> Result<String, ClientError> {
        let response = self
            .agent
            .get(format!("{}/metrics", self.base))
            .header("Accept", "text/plain; version=0.0.4")
            .call()
            .map_err(|e| ClientError::Other(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ClientError::Other(format!("the node answered {status}")));
        }
        response
            .into_body()
            .read_to_string()
            .map_err(|e| ClientError::Other(e.to_string()))
    }

    /// `GET /v1/search/{kind}`: `kind` is `Kind::Vacancy` or `Kind::Organisation`.
    pub fn search(&self, kind: Kind, query: &SearchQuery) -> Result<SearchResults, ClientError> {
        self.get(&format!("/v1/search/{kind}"), query)
    }

    /// `GET /v1/export`.
    pub fn export(&self, query: &ExportQuery) -> Result<Export, ClientError> {
        self.get("/v1/export", query)
    }
}
