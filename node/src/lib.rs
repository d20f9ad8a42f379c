//! The Steunpunt Federatie node: it holds a steunpunt's own signed records and replicas of
//! the records of the steunpunten it trusts, and keeps them in step with its peers.

pub mod replication;
pub mod store;
