//! The Steunpunt Federatie node: it holds a steunpunt's own signed records and replicas of
//! the records of the steunpunten it trusts, keeps them in step with its peers over
//! libp2p, and serves the local HTTP API.

pub mod actor;
pub mod api;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod data_dir;
pub mod network;
pub mod public;
pub mod replication;
pub mod search;
pub mod store;
