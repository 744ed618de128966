//! A deterministic model of a fleet of processes sharing one store, over the real engine and the
//! real store rules (docs/FLEET-MODEL.md). Everything random comes from one seeded [`Rng`], and
//! everything runs on one paused current-thread tokio runtime, so a seed replays exactly.

pub mod clock;
pub mod rng;
pub mod server;
pub mod sim;
pub mod store;
pub mod world;
