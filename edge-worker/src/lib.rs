//! The edge authorizer: a Cloudflare Worker in front of Label Studio (to come; see README).
#![no_std]
#![forbid(unsafe_code)]

pub use policy_core::Policy;
