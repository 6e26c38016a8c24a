//! The policy module: `policy-core` behind a small C-style ABI that any WebAssembly runtime
//! can call, with no imports. The interface is described in `docs/MODULE.md`.
//!
//! No pointer is ever taken from the host: the host asks the module for an input buffer
//! (`lg_input`), writes its bytes there, and calls an operation; results are left in the
//! module's output buffer (`lg_output`), valid until the next call. The code is therefore
//! safe Rust throughout, and no input can make it trap. The one construct Rust counts as
//! unsafe is `#[unsafe(no_mangle)]` on the exports (their names must be unique in the
//! module, and they are): it is allowed on those functions only.
#![deny(unsafe_code)]

use std::cell::RefCell;

use policy_core::{Action, Policy, Principal, Reason, Request, Resource};

/// The version of this interface; bumped on any incompatible change.
pub const ABI_VERSION: u32 = 1;

/// The size of one record of `lg_check_batch`: five little-endian i64s.
pub const RECORD: usize = 40;

#[derive(Default)]
struct State {
    policy: Option<Policy>,
    input: Vec<u8>,
    output: Vec<u8>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// The address of a buffer as the 32-bit offset the host sees.
fn address(buf: &[u8]) -> u32 {
    u32::try_from(buf.as_ptr() as usize).unwrap_or(0)
}

fn len(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Leaves `text` in the output buffer and returns its length.
fn output(state: &mut State, text: &str) -> u32 {
    state.output.clear();
    state.output.extend_from_slice(text.as_bytes());
    len(state.output.len())
}

/// The interface version.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_abi_version() -> u32 {
    ABI_VERSION
}

/// Makes the input buffer `len` bytes long (zeroed) and returns its address.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_input(len: u32) -> u32 {
    with(|s| {
        s.input.clear();
        s.input.resize(len as usize, 0);
        address(&s.input)
    })
}

/// The address of the output buffer (its length is what the last operation returned).
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_output() -> u32 {
    with(|s| address(&s.output))
}

/// Loads the snapshot JSON in the input buffer under SPEC's matrix. Returns 0 when loaded;
/// 1 when refused, with the error text in the output buffer (its length via
/// `lg_output_len`). A refused snapshot leaves the previous one in force.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_load() -> u32 {
    with(|s| {
        let text = String::from_utf8_lossy(&s.input).into_owned();
        match Policy::from_snapshot_json(&text) {
            Ok(p) => {
                s.policy = Some(p);
                output(s, "");
                0
            }
            Err(e) => {
                output(s, &e.to_string());
                1
            }
        }
    })
}

/// The length of the output buffer's contents.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_output_len() -> u32 {
    with(|s| len(s.output.len()))
}

/// Runs `f` on the loaded policy and the input text, leaving its answer in the output.
fn answer(f: impl FnOnce(&Policy, &str) -> String, none: &str) -> u32 {
    with(|s| {
        let text = String::from_utf8_lossy(&s.input).into_owned();
        let out = match &s.policy {
            Some(p) => f(p, &text),
            None => String::from(none),
        };
        output(s, &out)
    })
}

const NO_SNAPSHOT: &str =
    r#"{"allow":false,"reason":"policy_error","message":"no snapshot is loaded","policy":""}"#;

/// Decides the request JSON in the input buffer; the decision JSON is left in the output.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_decide() -> u32 {
    answer(|p, t| p.decide_json(t), NO_SNAPSHOT)
}

/// `allowed_actions` of the query JSON `{"principal","org","resource"}` in the input buffer.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_allowed() -> u32 {
    answer(
        |p, t| p.allowed_actions_json(t),
        r#"{"error":"no snapshot is loaded"}"#,
    )
}

/// `visible_projects` of the query JSON `{"principal","org"}` in the input buffer.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_visible_projects() -> u32 {
    answer(
        |p, t| p.visible_projects_json(t),
        r#"{"error":"no snapshot is loaded"}"#,
    )
}

/// `visible_workspaces` of the query JSON `{"principal","org"}` in the input buffer.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_visible_workspaces() -> u32 {
    answer(
        |p, t| p.visible_workspaces_json(t),
        r#"{"error":"no snapshot is loaded"}"#,
    )
}

/// The policy id (hex) in the output buffer; 0 when no snapshot is loaded.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_policy_id() -> u32 {
    answer(|p, _| p.id().to_string(), "")
}

/// The reason code of a decision: its position in the reason table of `docs/MODULE.md`.
fn code(reason: Reason) -> u32 {
    len(Reason::ALL
        .iter()
        .position(|r| *r == reason)
        .unwrap_or(Reason::ALL.len() - 1))
}

fn id(v: i64) -> Option<u64> {
    u64::try_from(v).ok()
}

/// One check by ids: the principal `user` (no groups), organization `org`, the action at
/// position `action` of the action table, on `workspace` or `project` (-1: none; both -1:
/// the organization). Returns the reason code (0: allowed).
fn check_ids(
    policy: &Policy,
    user: i64,
    org: i64,
    action: i64,
    workspace: i64,
    project: i64,
) -> u32 {
    let action = usize::try_from(action)
        .ok()
        .and_then(|i| Action::ALL.get(i).copied());
    let (Some(action), Some(org)) = (action, id(org)) else {
        return code(Reason::InvalidRequest);
    };
    let request = Request {
        principal: Principal {
            user: id(user),
            groups: Vec::new(),
        },
        org,
        action,
        resource: Resource {
            workspace: id(workspace),
            project: id(project),
            ..Resource::default()
        },
    };
    code(policy.decide(&request).reason)
}

/// [`check_ids`] on the loaded policy; `policy_error`'s code when none is loaded.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_check(user: i64, org: i64, action: i32, workspace: i64, project: i64) -> u32 {
    with(|s| match &s.policy {
        Some(p) => check_ids(p, user, org, i64::from(action), workspace, project),
        None => code(Reason::PolicyError),
    })
}

/// Checks the records in the input buffer (each [`RECORD`] bytes: user, org, action,
/// workspace, project as little-endian i64) and leaves one reason code byte per record in
/// the output buffer. Returns the number of records checked.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn lg_check_batch() -> u32 {
    with(|s| {
        let State {
            policy,
            input,
            output,
        } = s;
        output.clear();
        for record in input.chunks_exact(RECORD) {
            let mut f = record.chunks_exact(8).map(|b| {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                i64::from_le_bytes(a)
            });
            let mut next = || f.next().unwrap_or(-1);
            let (user, org, action, workspace, project) = (next(), next(), next(), next(), next());
            let c = match policy {
                Some(p) => check_ids(p, user, org, action, workspace, project),
                None => code(Reason::PolicyError),
            };
            output.push(u8::try_from(c).unwrap_or(u8::MAX));
        }
        len(output.len())
    })
}
