//! The Worker's side of the store: calls to an organization's object or the directory, and
//! what an isolate keeps of their answers.
//!
//! - **A member's policy** is their slice (SPEC §7) of one organization, loaded as a
//!   `Policy` and kept per (organization, user, groups): an isolate holds what it needs for
//!   the members it serves, not the organization. It is kept at most `MAX_STALENESS_MS`
//!   (default 1,000; 0: the store is asked on every request); then the store is asked again
//!   with the revision held, and answers "unchanged" or the new slice. A request that carries
//!   a newer revision (`X-LabelGate-Revision: <org>.<revision>`, from a write's answer)
//!   refreshes at once: read your writes. The slices kept are bounded in size.
//! - **Routes** (a user's organizations, an email's user, a project's or workspace's
//!   organization) are the directory's answers, kept as long.
//!
//! Any failure to reach the store is an error the gate turns into 503: nothing is decided on
//! guessed facts.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use policy_core::{Policy, Principal};
use serde_json::{Value, json};
use worker::{Env, Method, Request, RequestInit};

use crate::store::directory;
use crate::store::protocol::{Op, Read, SignupAsk, SliceAsk, WriteAsk};
use crate::store::reach::policy_of;

/// The largest total size of the slices an isolate keeps (bytes of their JSON).
const SLICE_BUDGET: usize = 24 << 20;

struct Kept {
    policy: Rc<Policy>,
    revision: u64,
    checked_at: f64,
    bytes: usize,
}

#[derive(Default)]
struct Slices {
    map: HashMap<String, Kept>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Slices {
    fn put(&mut self, key: String, kept: Kept) {
        if let Some(old) = self.map.remove(&key) {
            self.bytes -= old.bytes;
            self.order.retain(|k| k != &key);
        }
        self.bytes += kept.bytes;
        self.order.push_back(key.clone());
        self.map.insert(key, kept);
        while self.bytes > SLICE_BUDGET && self.order.len() > 1 {
            if let Some(oldest) = self.order.pop_front()
                && let Some(gone) = self.map.remove(&oldest)
            {
                self.bytes -= gone.bytes;
            }
        }
    }
}

struct Route {
    answer: Value,
    at: f64,
}

thread_local! {
    static SLICES: RefCell<Slices> = RefCell::new(Slices::default());
    static ROUTES: RefCell<HashMap<String, Route>> = RefCell::new(HashMap::new());
    static SEEN_REVISION: RefCell<HashMap<u64, u64>> = RefCell::new(HashMap::new());
}

/// What the isolate keeps: the number of slices and their total JSON size.
pub fn kept() -> (usize, usize) {
    SLICES.with_borrow(|s| (s.map.len(), s.bytes))
}

/// The store, as the Worker calls it.
pub struct Client<'a> {
    /// The Worker's environment (the `STORE` binding).
    pub env: &'a Env,
    /// How long a slice or route is kept (ms).
    pub staleness_ms: f64,
    /// Now (ms).
    pub now: f64,
}

/// Which slice a decision needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SliceScope {
    /// The member the request names (`policy_core::member_touched`).
    pub member: Option<u64>,
    /// Workspaces and projects too; without them, the organization's slice
    /// (`Policy::org_slice`), which decides requests that name neither.
    pub objects: bool,
}

impl SliceScope {
    /// The whole slice.
    pub const ALL: SliceScope = SliceScope {
        member: None,
        objects: true,
    };
    /// The organization's slice.
    pub const ORG: SliceScope = SliceScope {
        member: None,
        objects: false,
    };
}

/// The object name of organization `org`.
pub fn org_object(org: u64) -> String {
    format!("org:{org}")
}

impl Client<'_> {
    /// Sends `method path` with `body` (a string or a stream) to the object `name`; its
    /// answer as it is.
    pub async fn pass(
        &self,
        name: &str,
        method: Method,
        path: &str,
        body: Option<worker::wasm_bindgen::JsValue>,
        headers: &[(&str, &str)],
    ) -> Result<worker::Response, String> {
        let stub = self
            .env
            .durable_object(crate::store::namespace::BINDING)
            .and_then(|ns| ns.get_by_name(name))
            .map_err(|e| format!("store binding: {e}"))?;
        let mut init = RequestInit::new();
        init.with_method(method).with_body(body);
        let req = Request::new_with_init(&format!("https://store{path}"), &init)
            .map_err(|e| e.to_string())?;
        {
            let h = req.headers();
            for (k, v) in headers {
                h.set(k, v).map_err(|e| e.to_string())?;
            }
        }
        stub.fetch_with_request(req)
            .await
            .map_err(|e| format!("store {name}: {e}"))
    }

    /// Sends `method path` with `body` to the object `name`; the answer's status and text.
    pub async fn call(
        &self,
        name: &str,
        method: Method,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Result<(u16, String), String> {
        let body = body.map(|b| worker::wasm_bindgen::JsValue::from_str(&b));
        let mut resp = self.pass(name, method, path, body, headers).await?;
        let status = resp.status_code();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        Ok((status, text))
    }

    async fn json(
        &self,
        name: &str,
        method: Method,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        let (status, text) = self
            .call(name, method, path, Some(body.to_string()), &[])
            .await?;
        if status != 200 {
            return Err(format!("store {name} {path}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("store {name} {path}: {e}"))
    }

    /// Records that a write to `org` reached `revision`: slices of `org` kept from before
    /// are refreshed before they decide again.
    pub fn saw_revision(&self, org: u64, revision: u64) {
        SEEN_REVISION.with_borrow_mut(|m| {
            let r = m.entry(org).or_insert(0);
            *r = (*r).max(revision);
        });
    }

    /// The policy of `principal` in `org`: their slice of `scope`, kept or asked for
    /// (`fresh`: asked whatever is kept). `None`: the store holds no such organization.
    pub async fn policy(
        &self,
        org: u64,
        principal: &Principal,
        known: bool,
        fresh: bool,
        scope: SliceScope,
    ) -> Result<Option<Rc<Policy>>, String> {
        let key_of = |objects: bool| {
            format!(
                "{org}/{}/{}/{}/{}",
                principal.user.unwrap_or(0),
                scope.member.map_or(String::new(), |m| m.to_string()),
                if objects { "all" } else { "org" },
                principal.groups.join("\u{1}")
            )
        };
        let key = key_of(scope.objects);
        let seen = SEEN_REVISION.with_borrow(|m| m.get(&org).copied().unwrap_or(0));
        let usable = |k: &str| {
            SLICES.with_borrow(|s| {
                s.map
                    .get(k)
                    .filter(|k| k.revision >= seen && self.now - k.checked_at < self.staleness_ms)
                    .map(|k| k.policy.clone())
            })
        };
        if !fresh {
            // The whole slice decides the organization's requests too.
            let whole = if scope.objects {
                None
            } else {
                usable(&key_of(true))
            };
            if let Some(p) = whole.or_else(|| usable(&key)) {
                return Ok(Some(p));
            }
        }
        let held = SLICES.with_borrow(|s| {
            s.map
                .get(&key)
                .map(|k| (k.policy.clone(), k.revision, k.checked_at))
        });
        let ask = SliceAsk {
            user: principal.user,
            groups: principal.groups.clone(),
            known,
            since: held.as_ref().map(|h| h.1),
            member: scope.member,
            objects: scope.objects,
        };
        let ask = serde_json::to_value(ask).map_err(|e| e.to_string())?;
        let answer = self
            .json(&org_object(org), Method::Post, "/slice", ask)
            .await?;
        let Some(revision) = answer.get("revision").and_then(Value::as_u64) else {
            return Ok(None);
        };
        let now = self.now;
        let policy = match answer.get("facts").and_then(Value::as_str) {
            None => match held {
                Some((policy, _, _)) => {
                    SLICES.with_borrow_mut(|s| {
                        if let Some(k) = s.map.get_mut(&key) {
                            k.checked_at = now;
                            k.revision = revision;
                        }
                    });
                    return Ok(Some(policy));
                }
                None => return Ok(None),
            },
            Some(text) => {
                let facts = policy_core::Facts::from_json(text).map_err(|e| e.to_string())?;
                let policy = Rc::new(policy_of(facts)?);
                SLICES.with_borrow_mut(|s| {
                    s.put(
                        key,
                        Kept {
                            policy: policy.clone(),
                            revision,
                            checked_at: now,
                            bytes: text.len(),
                        },
                    )
                });
                policy
            }
        };
        // The store's revision is the truth: a claim of a newer one was wrong.
        SEEN_REVISION.with_borrow_mut(|m| {
            m.insert(org, revision);
        });
        Ok(Some(policy))
    }

    async fn route(&self, ask: Value) -> Result<Value, String> {
        let key = ask.to_string();
        let hit = ROUTES.with_borrow(|r| {
            r.get(&key)
                .filter(|e| self.now - e.at < self.staleness_ms)
                .map(|e| e.answer.clone())
        });
        if let Some(a) = hit {
            return Ok(a);
        }
        let answer = self
            .json(directory::NAME, Method::Post, "/dir/lookup", ask)
            .await?;
        let now = self.now;
        ROUTES.with_borrow_mut(|r| {
            if r.len() > 50_000 {
                r.clear();
            }
            r.insert(
                key,
                Route {
                    answer: answer.clone(),
                    at: now,
                },
            );
        });
        Ok(answer)
    }

    /// The organizations `user` belongs to, and whether the user exists at all.
    pub async fn orgs_of(&self, user: u64) -> Result<(Vec<u64>, bool), String> {
        let a = self.route(json!({"user": user})).await?;
        let orgs = a
            .get("orgs")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        Ok((
            orgs,
            a.get("known").and_then(Value::as_bool).unwrap_or(false),
        ))
    }

    /// The user with this email (Cloudflare Access).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<u64>, String> {
        let a = self.route(json!({"email": email})).await?;
        Ok(a.get("user").and_then(Value::as_u64))
    }

    /// The organization of a project or workspace (`kind`).
    pub async fn org_of(&self, kind: &str, id: u64) -> Result<Option<u64>, String> {
        let a = self.route(json!({ kind: id })).await?;
        Ok(a.get(format!("{kind}_org")).and_then(Value::as_u64))
    }

    /// Every organization the directory knows.
    pub async fn orgs(&self) -> Result<Vec<u64>, String> {
        let a = self
            .json(
                directory::NAME,
                Method::Post,
                "/dir/lookup",
                json!({"orgs": true}),
            )
            .await?;
        Ok(a.get("all_orgs")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default())
    }

    /// A write in `org` by `actor` (see `store::ops`): the store's answer.
    pub async fn write(
        &self,
        org: u64,
        actor: &Principal,
        known: bool,
        op: Op,
    ) -> Result<Value, String> {
        self.write_or_check(org, actor, known, op, false).await
    }

    /// The store's decision of a write by `actor`, without applying it.
    pub async fn check(
        &self,
        org: u64,
        actor: &Principal,
        known: bool,
        op: Op,
    ) -> Result<Value, String> {
        self.write_or_check(org, actor, known, op, true).await
    }

    async fn write_or_check(
        &self,
        org: u64,
        actor: &Principal,
        known: bool,
        op: Op,
        dry: bool,
    ) -> Result<Value, String> {
        let ask = WriteAsk {
            actor: json!({"user": actor.user, "groups": actor.groups}),
            known,
            op,
            fault: None,
            dry,
        };
        let ask = serde_json::to_value(ask).map_err(|e| e.to_string())?;
        let answer = self
            .json(&org_object(org), Method::Post, "/write", ask)
            .await?;
        if let Some(r) = answer.get("revision").and_then(Value::as_u64) {
            self.saw_revision(org, r);
        }
        ROUTES.with_borrow_mut(|r| r.clear());
        Ok(answer)
    }

    /// A read of `org`'s store (see `store::read`).
    pub async fn read(&self, org: u64, ask: Read) -> Result<Value, String> {
        let ask = serde_json::to_value(ask).map_err(|e| e.to_string())?;
        self.json(&org_object(org), Method::Post, "/read", ask)
            .await
    }

    /// The decision of a signup to `org` with `token`.
    pub async fn signup(&self, org: u64, token: Option<&str>) -> Result<Value, String> {
        self.json(
            &org_object(org),
            Method::Post,
            "/signup",
            serde_json::to_value(SignupAsk {
                token: token.map(str::to_owned),
            })
            .map_err(|e| e.to_string())?,
        )
        .await
    }
}
