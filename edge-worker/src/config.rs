//! The Worker's settings: `[vars]` and secrets of `wrangler.toml` (or the test's bindings).

use worker::Env;
use worker::wasm_bindgen::JsValue;

/// Everything the Worker reads from its environment, read once per request.
#[derive(Clone, Debug)]
pub struct Config {
    /// `ORIGIN_URL`: where allowed requests go, e.g. `http://127.0.0.1:8080` (no trailing
    /// slash).
    pub origin: Option<String>,
    /// `JWT_SECRET` (a secret): Label Studio's `SECRET_KEY`, which signs its JWTs.
    pub jwt_secret: Option<String>,
    /// `ACCESS_JWKS`, `ACCESS_AUD`, `ACCESS_ISSUER`: Cloudflare Access, if configured.
    pub access: Option<Access>,
    /// `SNAPSHOT_CHECK_SECONDS` (default 10): how often the KV `version` key is read.
    pub snapshot_check_ms: f64,
    /// `IDENTITY_CACHE_SECONDS` (default 60): how long a `whoami` answer is kept.
    pub identity_ttl_ms: f64,
    /// `LOOKUP_CACHE_SECONDS` (default 60): how long an object's project is kept.
    pub lookup_ttl_ms: f64,
    /// `MAX_DECISION_BODY_BYTES` (default 1 MiB): the largest body the decision reads.
    pub max_body: usize,
    /// `SESSION_COOKIE_NAME` (default `sessionid`).
    pub session_cookie: String,
    /// `LABELGATE_TEST_ENDPOINTS` = `1`: enables `POST /__labelgate/decide` (tests only; read
    /// only by a build with the feature `test-endpoints`).
    #[cfg(feature = "test-endpoints")]
    pub test_endpoints: bool,
    /// `MAX_STALENESS_MS` (default 1,000): how long an isolate keeps a member's slice and the
    /// directory's answers before it asks the store again (0: on every request).
    pub max_staleness_ms: f64,
    /// `LABELGATE_ADMIN_TOKEN` (a secret): the operator's token for importing, exporting and
    /// bootstrapping the store (`X-LabelGate-Admin-Token`).
    pub admin_token: Option<String>,
    /// `ACTIVITY_BATCH_MS` (default 50): how long the activity log's writer waits for more
    /// records before its first batch (0: at once).
    pub activity_batch_ms: f64,
}

/// Cloudflare Access settings.
#[derive(Clone, Debug)]
pub struct Access {
    /// The JWKS document (`{"keys": [...]}`) of the team's signing keys.
    pub jwks: String,
    /// The application's audience tag (`aud`).
    pub audience: String,
    /// The issuer, `https://<team>.cloudflareaccess.com`.
    pub issuer: String,
}

fn string(env: &Env, name: &str) -> Option<String> {
    js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|s| !s.is_empty())
}

/// A setting given in seconds, as milliseconds.
fn millis_of_seconds(env: &Env, name: &str, default: f64) -> f64 {
    string(env, name)
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(default)
        * 1000.0
}

impl Config {
    /// Reads the settings of `env`.
    pub fn from_env(env: &Env) -> Config {
        let access = match (
            string(env, "ACCESS_JWKS"),
            string(env, "ACCESS_AUD"),
            string(env, "ACCESS_ISSUER"),
        ) {
            (Some(jwks), Some(audience), Some(issuer)) => Some(Access {
                jwks,
                audience,
                issuer,
            }),
            _ => None,
        };
        Config {
            origin: string(env, "ORIGIN_URL").map(|o| o.trim_end_matches('/').to_owned()),
            jwt_secret: string(env, "JWT_SECRET"),
            access,
            snapshot_check_ms: millis_of_seconds(env, "SNAPSHOT_CHECK_SECONDS", 10.0),
            identity_ttl_ms: millis_of_seconds(env, "IDENTITY_CACHE_SECONDS", 60.0),
            lookup_ttl_ms: millis_of_seconds(env, "LOOKUP_CACHE_SECONDS", 60.0),
            max_body: string(env, "MAX_DECISION_BODY_BYTES")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(1 << 20),
            session_cookie: string(env, "SESSION_COOKIE_NAME")
                .unwrap_or_else(|| String::from("sessionid")),
            #[cfg(feature = "test-endpoints")]
            test_endpoints: string(env, "LABELGATE_TEST_ENDPOINTS").as_deref() == Some("1"),
            max_staleness_ms: millis_of_seconds(env, "MAX_STALENESS_MS", 1000.0) / 1000.0,
            activity_batch_ms: millis_of_seconds(env, "ACTIVITY_BATCH_MS", 50.0) / 1000.0,
            admin_token: string(env, "LABELGATE_ADMIN_TOKEN"),
        }
    }
}
