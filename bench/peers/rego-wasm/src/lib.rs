//! regorus behind a three-call C ABI for wasm32: `buffer` reserves input bytes, `load` reads
//! a policy and its data from them, `allow` evaluates `data.labelgate.allow` for an input.
//! Exists to measure regorus's size as a wasm module, as a host would ship it.

use std::cell::RefCell;

use regorus::{Engine, Value};

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// A buffer of `len` bytes for the host to fill; its address.
#[unsafe(no_mangle)]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    BUFFER.with_borrow_mut(|b| {
        b.clear();
        b.resize(len, 0);
        b.as_mut_ptr()
    })
}

fn text() -> String {
    BUFFER.with_borrow(|b| String::from_utf8_lossy(b).into_owned())
}

/// Loads the buffer as `policy` + NUL + `data` (JSON). 1 on success, 0 on an error.
#[unsafe(no_mangle)]
pub extern "C" fn load() -> i32 {
    let all = text();
    let Some((policy, data)) = all.split_once('\0') else {
        return 0;
    };
    let mut e = Engine::new();
    let loaded = e
        .add_policy("labelgate.rego".into(), policy.into())
        .and_then(|_| e.add_data(Value::from_json_str(data)?));
    if loaded.is_err() {
        return 0;
    }
    ENGINE.with_borrow_mut(|slot| *slot = Some(e));
    1
}

/// `data.labelgate.allow` for the buffer as input (JSON): 1 allow, 0 deny, -1 an error.
#[unsafe(no_mangle)]
pub extern "C" fn allow() -> i32 {
    let input = text();
    ENGINE.with_borrow_mut(|slot| {
        let Some(e) = slot.as_mut() else { return -1 };
        let Ok(input) = Value::from_json_str(&input) else {
            return -1;
        };
        e.set_input(input);
        match e.eval_rule("data.labelgate.allow".into()) {
            Ok(v) => i32::from(v == Value::Bool(true)),
            Err(_) => -1,
        }
    })
}
