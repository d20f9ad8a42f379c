//! Names of the files in a node's data directory, shared by the node (which writes them)
//! and its clients (which read the API's address and token from them).

/// Environment variable naming the data directory.
pub const DATA_DIR_ENV: &str = "STEUNPUNT_DATA_DIR";
/// The steunpunt's settings (name, municipalities, addresses, trust).
pub const CONFIG: &str = "config.toml";
/// The steunpunt's signing key: its identity in the federation. Back it up.
pub const STEUNPUNT_KEY: &str = "steunpunt.key";
/// The node's libp2p key: its PeerId.
pub const NODE_KEY: &str = "node.key";
/// The neighbours' addresses and labels.
pub const PEERS: &str = "peers.json";
/// The API's bearer token (mode 0600).
pub const API_TOKEN: &str = "api.token";
/// The address the API listens on, written at start and removed at a clean stop.
pub const API_ADDR: &str = "api.addr";
/// The address the public site listens on (when `[public]` is enabled), written at
/// start and removed at a clean stop.
pub const PUBLIC_ADDR: &str = "public.addr";
/// The record store (sled), a directory.
pub const DB: &str = "db";
/// What the store held at its last flush, to notice a damaged store at start.
pub const DB_CHECK: &str = "db.check";
/// The search index, a directory derived from the store and rebuilt when missing.
pub const SEARCH: &str = "search";
