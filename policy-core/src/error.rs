//! Errors of loading a snapshot or a role matrix. Decisions never fail: see [`crate::Decision`].

use alloc::string::String;
use core::fmt;

/// Why a snapshot or a matrix was refused. Nothing of it was loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The text is not JSON of the expected shape (an unknown field, a wrong type, ...).
    Json {
        /// What was being read: `snapshot`, `matrix`, `principal` or `resource`.
        what: &'static str,
        /// serde's account, with line and column.
        detail: String,
    },
    /// An item contradicts another item or a rule of the model.
    Invalid {
        /// The offending item, e.g. ``organization `1`, project `1000` ``.
        item: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl LoadError {
    pub(crate) fn invalid(item: impl Into<String>, problem: impl Into<String>) -> LoadError {
        LoadError::Invalid {
            item: item.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Json { what, detail } => write!(f, "invalid {what} json: {detail}"),
            LoadError::Invalid { item, problem } => write!(f, "{item}: {problem}"),
        }
    }
}

impl core::error::Error for LoadError {}
