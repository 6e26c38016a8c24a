//! The policy snapshot, read from the KV namespace `SNAPSHOTS` (keys `snapshot` and
//! `version`) and cached per isolate. The `version` key is read at most every
//! `SNAPSHOT_CHECK_SECONDS`; when it changes, the snapshot is re-read and replaces the
//! policy in force only if it loads. A missing or corrupt snapshot keeps the last good one;
//! with none ever loaded, the Worker answers 503 (fails closed).

use std::cell::RefCell;
use std::rc::Rc;

use policy_core::Policy;
use worker::Env;

/// The KV binding.
pub const BINDING: &str = "SNAPSHOTS";
/// The key of the snapshot JSON.
pub const SNAPSHOT_KEY: &str = "snapshot";
/// The key of its version (any string; change it to publish a new snapshot).
pub const VERSION_KEY: &str = "version";

/// The per-isolate state: the policy in force and what was last seen in KV.
#[derive(Default)]
pub struct Cached {
    policy: Option<Rc<Policy>>,
    version: Option<String>,
    refused: Option<String>,
    checked_at: Option<f64>,
}

/// What to do about the version read from KV.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Keep the policy in force.
    Keep,
    /// Read and load the snapshot of this version.
    Load(String),
}

impl Cached {
    /// Whether the version key is due for a read at `now` (ms).
    pub fn due(&self, now: f64, every_ms: f64) -> bool {
        self.policy.is_none() || self.checked_at.is_none_or(|t| now - t >= every_ms)
    }

    /// The policy in force.
    pub fn policy(&self) -> Option<Rc<Policy>> {
        self.policy.clone()
    }

    /// The version in force.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The version key read at `now` (`None`: missing, an unversioned snapshot).
    pub fn saw(&mut self, version: Option<String>, now: f64) -> Next {
        self.checked_at = Some(now);
        let version = version.unwrap_or_default();
        let current = self.policy.is_some() && self.version.as_deref() == Some(version.as_str());
        if current || self.refused.as_deref() == Some(version.as_str()) {
            Next::Keep
        } else {
            Next::Load(version)
        }
    }

    /// The snapshot of `version` was read: `None` if missing.
    pub fn loaded(&mut self, version: String, text: Option<&str>) -> Result<(), String> {
        let Some(text) = text else {
            return Err(format!("kv key `{SNAPSHOT_KEY}` is missing"));
        };
        match Policy::from_snapshot_json(text) {
            Ok(policy) => {
                self.policy = Some(Rc::new(policy));
                self.version = Some(version);
                self.refused = None;
                Ok(())
            }
            Err(e) => {
                let msg = format!("snapshot version `{version}` refused: {e}");
                self.refused = Some(version);
                Err(msg)
            }
        }
    }
}

thread_local! {
    static CACHED: RefCell<Cached> = RefCell::new(Cached::default());
}

/// The policy in force, refreshed from KV when due. `None`: none was ever loaded.
pub async fn current(env: &Env, now: f64, every_ms: f64) -> Option<(Rc<Policy>, String)> {
    let due = CACHED.with_borrow(|c| c.due(now, every_ms));
    if due && let Err(e) = refresh(env, now).await {
        worker::console_error!("labelgate: {e}");
    }
    CACHED.with_borrow(|c| {
        c.policy()
            .map(|p| (p, c.version().unwrap_or_default().to_owned()))
    })
}

async fn refresh(env: &Env, now: f64) -> Result<(), String> {
    let kv = env
        .kv(BINDING)
        .map_err(|e| format!("kv binding `{BINDING}`: {e}"))?;
    let version = kv
        .get(VERSION_KEY)
        .text()
        .await
        .map_err(|e| format!("kv read of `{VERSION_KEY}`: {e}"))?;
    let Next::Load(version) = CACHED.with_borrow_mut(|c| c.saw(version, now)) else {
        return Ok(());
    };
    let text = kv
        .get(SNAPSHOT_KEY)
        .text()
        .await
        .map_err(|e| format!("kv read of `{SNAPSHOT_KEY}`: {e}"))?;
    CACHED.with_borrow_mut(|c| c.loaded(version, text.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_drive_reloads_and_bad_snapshots_keep_the_last_good_one() {
        let mut c = Cached::default();
        assert!(c.due(0.0, 1000.0));
        assert_eq!(c.saw(None, 0.0), Next::Load(String::new()));
        assert!(c.loaded(String::new(), None).is_err());
        assert!(c.policy().is_none() && c.due(1.0, 1000.0));
        assert_eq!(c.saw(Some("v1".into()), 1.0), Next::Load("v1".into()));
        c.loaded("v1".into(), Some(policy_core::DEMO_SNAPSHOT_JSON))
            .unwrap();
        assert!(!c.due(2.0, 1000.0) && c.due(1001.0, 1000.0));
        assert_eq!(c.saw(Some("v1".into()), 1001.0), Next::Keep);
        assert_eq!(c.saw(Some("v2".into()), 2001.0), Next::Load("v2".into()));
        assert!(c.loaded("v2".into(), Some("{not json")).is_err());
        assert_eq!(c.version(), Some("v1"));
        assert!(c.policy().is_some());
        assert_eq!(
            c.saw(Some("v2".into()), 3001.0),
            Next::Keep,
            "a refused version is not re-read"
        );
        assert_eq!(c.saw(Some("v3".into()), 4001.0), Next::Load("v3".into()));
        assert!(c.loaded("v3".into(), None).is_err());
        assert_eq!(c.version(), Some("v1"));
    }
}
