//! Networking: the libp2p behaviour, the sync codec, and the swarm task that adapts
//! libp2p to the replicator.

pub mod behaviour;
pub mod codec;
pub mod event_loop;
pub mod pending;

pub use behaviour::{Behaviour, build_behaviour};
pub use event_loop::{Client, EventLoop, NetworkStatus};
