//! Networking: the libp2p behaviour, the sync codec, and the event loop with its client.

pub mod behaviour;
pub mod codec;
pub mod event_loop;

pub use behaviour::{Behaviour, build_behaviour};
pub use event_loop::{Client, EventLoop, LoopSettings, NetworkStatus, SharedEngine};
