//! The Durable Object namespace of the store: its binding, which both the Worker's client and
//! the directory (which asks the organizations' objects) reach it through.

/// The binding of the store's namespace.
pub const BINDING: &str = "STORE";
