//! The node's configuration: `DATA_DIR/config.toml`, overridden by environment variables,
//! overridden by command-line flags; defaults for everything else.

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};
use steunpunt_protocol::trust::{DEFAULT_TRUST_HOPS, MAX_TRUST_HOPS};

/// Default API address: loopback only.
pub const DEFAULT_API: &str = "127.0.0.1:7300";
/// Default libp2p listen addresses.
pub const DEFAULT_LISTEN: [&str; 2] = ["/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"];

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who this steunpunt is; published as its profile record.
    pub steunpunt: SteunpuntConfig,
    /// Networking.
    #[serde(default)]
    pub network: NetworkConfig,
    /// Anti-entropy sync.
    #[serde(default)]
    pub sync: SyncConfig,
    /// Trust.
    #[serde(default)]
    pub trust: TrustConfig,
    /// The local HTTP API.
    #[serde(default)]
    pub api: ApiConfig,
}

/// The steunpunt's public profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SteunpuntConfig {
    /// Name of the steunpunt.
    pub name: String,
    /// Municipalities served.
    #[serde(default)]
    pub municipalities: Vec<String>,
    /// Region label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Functional e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Functional phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What the steunpunt does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// libp2p settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Multiaddresses to listen on.
    pub listen: Vec<String>,
    /// Discover nodes on the local network with mDNS (off by default).
    pub mdns: bool,
    /// Close connections idle for this long. Sync runs every minute, so the default keeps
    /// peered connections open between syncs while letting stray ones go.
    pub idle_timeout_secs: u64,
    /// Most established connections in total.
    pub max_connections: u32,
    /// Most established connections per peer.
    pub max_connections_per_peer: u32,
    /// Refuse new connections above this fraction of system memory in use.
    pub max_memory_fraction: f64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.iter().map(|s| (*s).to_owned()).collect(),
            mdns: false,
            idle_timeout_secs: 300,
            max_connections: 128,
            max_connections_per_peer: 2,
            max_memory_fraction: 0.9,
        }
    }
}

/// Sync settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Seconds between syncs with each connected peer (jittered by ±10 %).
    pub interval_secs: u64,
    /// Most sync runs this node has open at once.
    pub max_concurrent: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            interval_secs: 60,
            max_concurrent: 4,
        }
    }
}

/// Trust settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrustConfig {
    /// Vouching hops to follow (ARCHITECTURE.md, Trust).
    pub hops: u8,
}

impl Default for TrustConfig {
    fn default() -> Self {
        Self {
            hops: DEFAULT_TRUST_HOPS,
        }
    }
}

/// API settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Address of the HTTP API (`127.0.0.1:0` picks a free port; see `api.addr`).
    pub listen: String,
    /// Allow a non-loopback API address. Off: the API is reachable only from this machine.
    pub allow_remote: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_API.to_owned(),
            allow_remote: false,
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path} is not a valid configuration: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value is out of range.
    #[error("configuration value `{field}` {problem}")]
    Invalid {
        /// Which setting.
        field: &'static str,
        /// What is wrong and what is allowed.
        problem: String,
    },
}

impl Config {
    /// Reads `config.toml` from `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown,
            message: e.to_string(),
        })?;
        config.check()?;
        Ok(config)
    }

    /// The TOML text of this configuration.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks ranges; returns the first problem.
    pub fn check(&self) -> Result<(), ConfigError> {
        let invalid = |field, problem: &str| {
            Err(ConfigError::Invalid {
                field,
                problem: problem.to_owned(),
            })
        };
        if self.steunpunt.name.trim().is_empty() {
            return invalid("steunpunt.name", "is empty; give the steunpunt's name");
        }
        if self.trust.hops > MAX_TRUST_HOPS {
            return invalid(
                "trust.hops",
                &format!("is {}; use 0 to {MAX_TRUST_HOPS}", self.trust.hops),
            );
        }
        if self.sync.interval_secs == 0 {
            return invalid("sync.interval_secs", "is 0; use at least 1 second");
        }
        if self.sync.max_concurrent == 0 {
            return invalid("sync.max_concurrent", "is 0; use at least 1");
        }
        if !(0.1..=1.0).contains(&self.network.max_memory_fraction) {
            return invalid("network.max_memory_fraction", "must be between 0.1 and 1.0");
        }
        let api: SocketAddr = self.api.listen.parse().map_err(|_| ConfigError::Invalid {
            field: "api.listen",
            problem: format!(
                "`{}` is not an address like 127.0.0.1:7300",
                self.api.listen
            ),
        })?;
        if !api.ip().is_loopback() && !self.api.allow_remote {
            return invalid(
                "api.listen",
                &format!(
                    "is {api}, which other machines can reach; use 127.0.0.1, or set api.allow_remote = true if you really mean it"
                ),
            );
        }
        for addr in &self.network.listen {
            if addr.parse::<libp2p::Multiaddr>().is_err() {
                return invalid(
                    "network.listen",
                    &format!(
                        "contains `{addr}`, which is not a multiaddress like /ip4/0.0.0.0/tcp/4001"
                    ),
                );
            }
        }
        Ok(())
    }

    /// The API socket address (checked by [`Config::check`]).
    pub fn api_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.api.listen.parse().map_err(|_| ConfigError::Invalid {
            field: "api.listen",
            problem: "is not an address".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Config {
        Config {
            steunpunt: SteunpuntConfig {
                name: "Steunpunt Breda".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let config = base();
        config.check().unwrap();
        let parsed: Config = toml::from_str(&config.to_toml()).unwrap();
        assert_eq!(parsed, config);
    }

    #[test]
    fn remote_api_needs_explicit_permission() {
        let mut config = base();
        config.api.listen = "0.0.0.0:7300".into();
        let err = config.check().unwrap_err().to_string();
        assert!(err.contains("allow_remote"), "{err}");
        config.api.allow_remote = true;
        config.check().unwrap();
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err =
            toml::from_str::<Config>("[steunpunt]\nname = \"x\"\n[sync]\nintervall_secs = 5\n")
                .unwrap_err();
        assert!(err.to_string().contains("intervall_secs"), "{err}");
        let mut config = base();
        config.trust.hops = 20;
        assert!(
            config
                .check()
                .unwrap_err()
                .to_string()
                .contains("trust.hops")
        );
        config.trust.hops = 3;
        config.network.listen = vec!["tcp 4001".into()];
        assert!(
            config
                .check()
                .unwrap_err()
                .to_string()
                .contains("multiaddress")
        );
    }
}
