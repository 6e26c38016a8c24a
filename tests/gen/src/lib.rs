//! Seeded generators shared by the test suite (`labelgate-tests`) and the peer benchmarks
//! (`bench/peers`): random valid snapshots and random requests, and the synthetic large
//! organization. Deterministic: the same seed gives the same JSON everywhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(missing_docs)]

pub mod large;
pub mod random;
