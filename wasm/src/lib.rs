//! The browser package: wasm-bindgen bindings over `policy-core` (to come; see README).
#![no_std]
#![forbid(unsafe_code)]

pub use policy_core::Policy;
