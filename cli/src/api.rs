//! The node's HTTP API as the CLI sees it: address and token from the data directory,
//! errors turned into sentences that say what to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// Why a call to the node failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
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
    /// The node answered with an error.
    #[error("{0}")]
    Refused(String),
    /// Anything else.
    #[error("talking to the node failed: {0}")]
    Other(String),
}

/// A client for one node.
pub struct Api {
    base: String,
    token: String,
    data_dir: PathBuf,
    agent: ureq::Agent,
}

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl Api {
    /// Connects to the node whose data directory is `data_dir`.
    pub fn connect(data_dir: &Path) -> Result<Self, ApiError> {
        let shown = data_dir.display().to_string();
        let addr_path = data_dir.join("api.addr");
        let addr = read_trimmed(&addr_path)
            .ok_or_else(|| ApiError::NotRunning(addr_path.display().to_string(), shown.clone()))?;
        let token = read_trimmed(&data_dir.join("api.token"))
            .ok_or_else(|| ApiError::Unauthorized(shown.clone()))?;
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Ok(Self {
            base: format!("http://{addr}"),
            token,
            data_dir: data_dir.to_owned(),
            agent,
        })
    }

    fn answer(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value, ApiError> {
        let mut response = result.map_err(|e| match e {
            ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                ApiError::Unreachable(self.base.clone(), self.data_dir.display().to_string())
            }
            other => ApiError::Other(other.to_string()),
        })?;
        let status = response.status();
        let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        if status.as_u16() == 401 {
            return Err(ApiError::Unauthorized(self.data_dir.display().to_string()));
        }
        if !status.is_success() {
            let message = body["error"]["message"]
                .as_str()
                .map_or_else(|| format!("the node answered {status}"), str::to_owned);
            return Err(ApiError::Refused(message));
        }
        Ok(body)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// GET with query parameters.
    pub fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ApiError> {
        let mut request = self
            .agent
            .get(self.url(path))
            .header("Authorization", self.auth());
        for (k, v) in query {
            request = request.query(*k, v);
        }
        self.answer(request.call())
    }

    /// POST a JSON body.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.post_with(path, &[], body)
    }

    /// POST a JSON body with query parameters.
    pub fn post_with(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &Value,
    ) -> Result<Value, ApiError> {
        let mut request = self
            .agent
            .post(self.url(path))
            .header("Authorization", self.auth());
        for (k, v) in query {
            request = request.query(*k, v);
        }
        self.answer(request.send_json(body))
    }

    /// DELETE.
    pub fn delete(&self, path: &str) -> Result<Value, ApiError> {
        self.answer(
            self.agent
                .delete(self.url(path))
                .header("Authorization", self.auth())
                .call(),
        )
    }
}
