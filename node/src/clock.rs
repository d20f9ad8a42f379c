//! The node's one reading of the wall clock: everything below it (engine, replicator,
//! search) takes the time as an argument, so tests and the simulation set it themselves.

use steunpunt_protocol::Timestamp;

/// The current time.
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}
