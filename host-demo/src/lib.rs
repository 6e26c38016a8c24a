//! Embedding LabelGate's policy module with wasmtime: load the `.wasm`, load a snapshot
//! once, then decide. Every step is named below, in the order a host performs it.
//!
//! The module's interface is described in `docs/MODULE.md`. It is untrusted code to the
//! host: every call runs on a fuel budget and the module's memory is capped, so a broken or
//! hostile module cannot hang or exhaust the host. A trap becomes a deny with reason
//! `policy_error`, and the next call starts from a fresh instance with the last good
//! snapshot.

use wasmtime::error::Context;
use wasmtime::{
    Config, Engine, Error, Instance, Memory, Module, Result, Store, StoreLimits,
    StoreLimitsBuilder, TypedFunc, bail, format_err as anyhow,
};

/// The interface version this host speaks.
pub const ABI_VERSION: u32 = 1;

/// Limits on the module.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Fuel (about one unit per wasm instruction) for one decision or query.
    pub fuel_per_call: u64,
    /// Fuel per byte of snapshot JSON, on top of `fuel_per_call`, for a load.
    pub fuel_per_snapshot_byte: u64,
    /// The most linear memory the module may grow to, in bytes.
    pub max_memory: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel_per_call: 50_000_000,
            fuel_per_snapshot_byte: 2_000,
            max_memory: 1 << 30,
        }
    }
}

/// What the store carries for the host: the memory limiter.
struct HostState {
    limits: StoreLimits,
}

/// One live instance of the module and its typed exports.
struct Live {
    store: Store<HostState>,
    memory: Memory,
    input: TypedFunc<u32, u32>,
    output: TypedFunc<(), u32>,
    output_len: TypedFunc<(), u32>,
    load: TypedFunc<(), u32>,
    decide: TypedFunc<(), u32>,
    allowed: TypedFunc<(), u32>,
    visible_projects: TypedFunc<(), u32>,
    visible_workspaces: TypedFunc<(), u32>,
    policy_id: TypedFunc<(), u32>,
    check: TypedFunc<(i64, i64, i32, i64, i64), u32>,
    check_batch: TypedFunc<(), u32>,
}

/// The policy module, instantiated, with the snapshot in force.
pub struct PolicyModule {
    engine: Engine,
    module: Module,
    limits: Limits,
    live: Option<Live>,
    snapshot: Option<String>,
}

impl PolicyModule {
    /// Step 1-2: an engine that meters fuel, and the module compiled for it. Fails on bytes
    /// that are not a valid module, or a module without LabelGate's interface.
    pub fn new(wasm: &[u8], limits: Limits) -> Result<PolicyModule> {
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config)?;
        let module = Module::new(&engine, wasm).context("not a valid WebAssembly module")?;
        if module.imports().len() != 0 {
            bail!(
                "the policy module must import nothing; this one imports {}",
                module.imports().len()
            );
        }
        let mut m = PolicyModule {
            engine,
            module,
            limits,
            live: None,
            snapshot: None,
        };
        m.instantiate()?;
        Ok(m)
    }

    /// Steps 3-5: a store with the memory limit, an instance (no imports), and each export
    /// looked up with its exact signature.
    fn instantiate(&mut self) -> Result<()> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.max_memory)
            .instances(1)
            .build();
        let mut store = Store::new(&self.engine, HostState { limits });
        store.limiter(|s| &mut s.limits);
        store.set_fuel(self.limits.fuel_per_call)?;
        let instance = Instance::new(&mut store, &self.module, &[])?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| anyhow!("the module exports no `memory`"))?;
        let version: TypedFunc<(), u32> = instance.get_typed_func(&mut store, "lg_abi_version")?;
        let found = version.call(&mut store, ())?;
        if found != ABI_VERSION {
            bail!("the module speaks interface version {found}, this host {ABI_VERSION}");
        }
        let f = |store: &mut Store<HostState>, name: &str| {
            instance
                .get_func(&mut *store, name)
                .ok_or_else(|| anyhow!("the module exports no `{name}`"))
        };
        let live = Live {
            input: f(&mut store, "lg_input")?.typed(&store)?,
            output: f(&mut store, "lg_output")?.typed(&store)?,
            output_len: f(&mut store, "lg_output_len")?.typed(&store)?,
            load: f(&mut store, "lg_load")?.typed(&store)?,
            decide: f(&mut store, "lg_decide")?.typed(&store)?,
            allowed: f(&mut store, "lg_allowed")?.typed(&store)?,
            visible_projects: f(&mut store, "lg_visible_projects")?.typed(&store)?,
            visible_workspaces: f(&mut store, "lg_visible_workspaces")?.typed(&store)?,
            policy_id: f(&mut store, "lg_policy_id")?.typed(&store)?,
            check: f(&mut store, "lg_check")?.typed(&store)?,
            check_batch: f(&mut store, "lg_check_batch")?.typed(&store)?,
            store,
            memory,
        };
        self.live = Some(live);
        Ok(())
    }

    /// Drops the instance and instantiates the compiled module afresh, with the snapshot in
    /// force (what a host does after a trap; also measures instantiation alone).
    pub fn reinstantiate(&mut self) -> Result<()> {
        self.live = None;
        self.live().map(|_| ())
    }

    /// A live instance: after a trap the old one is dropped, and a fresh one gets the last
    /// good snapshot back.
    fn live(&mut self) -> Result<&mut Live> {
        if self.live.is_none() {
            self.instantiate()?;
            if let Some(snapshot) = self.snapshot.clone() {
                self.load_into_live(&snapshot)
                    .map_err(|e| anyhow!("reloading the snapshot after a trap: {e}"))?;
            }
        }
        self.live.as_mut().ok_or_else(|| anyhow!("no instance"))
    }

    /// Step 6: writes `bytes` into the module's input buffer.
    fn write_input(live: &mut Live, bytes: &[u8]) -> Result<()> {
        let len = u32::try_from(bytes.len()).context("input over 4 GiB")?;
        let ptr = live.input.call(&mut live.store, len)?;
        live.memory
            .write(&mut live.store, ptr as usize, bytes)
            .context("the module's input buffer is out of bounds")?;
        Ok(())
    }

    /// Step 8: reads `len` bytes of the module's output buffer as text.
    fn read_output(live: &mut Live, len: u32) -> Result<String> {
        let ptr = live.output.call(&mut live.store, ())?;
        let mut buf = vec![0u8; len as usize];
        live.memory
            .read(&live.store, ptr as usize, &mut buf)
            .context("the module's output buffer is out of bounds")?;
        String::from_utf8(buf).context("the module wrote text that is not UTF-8")
    }

    fn load_into_live(&mut self, snapshot: &str) -> Result<(), String> {
        let fuel = self.limits.fuel_per_call.saturating_add(
            self.limits
                .fuel_per_snapshot_byte
                .saturating_mul(snapshot.len() as u64),
        );
        let result = (|| -> Result<Result<(), String>> {
            let live = self.live.as_mut().ok_or_else(|| anyhow!("no instance"))?;
            live.store.set_fuel(fuel)?;
            Self::write_input(live, snapshot.as_bytes())?;
            match live.load.call(&mut live.store, ())? {
                0 => Ok(Ok(())),
                _ => {
                    let n = live.output_len.call(&mut live.store, ())?;
                    Ok(Err(Self::read_output(live, n)?))
                }
            }
        })();
        match result {
            Ok(r) => r,
            Err(trap) => {
                self.live = None;
                Err(format!("the policy module trapped while loading: {trap}"))
            }
        }
    }

    /// Loads a snapshot (JSON text). On refusal the error names the offending item and the
    /// previous snapshot stays in force.
    pub fn load(&mut self, snapshot: &str) -> Result<(), String> {
        self.live().map_err(|e| e.to_string())?;
        self.load_into_live(snapshot)?;
        self.snapshot = Some(snapshot.to_string());
        Ok(())
    }

    /// Step 7-8 for one text operation: input in, call on a fresh fuel budget, output out.
    /// A trap drops the instance and comes back as `Err`.
    fn text_call(
        &mut self,
        which: fn(&Live) -> &TypedFunc<(), u32>,
        input: &str,
    ) -> Result<String> {
        let fuel = self.limits.fuel_per_call;
        let outcome = (|| {
            let live = self.live()?;
            live.store.set_fuel(fuel)?;
            Self::write_input(live, input.as_bytes())?;
            let f = which(live).clone();
            let n = f.call(&mut live.store, ())?;
            Self::read_output(live, n)
        })();
        if outcome.is_err() {
            self.live = None;
        }
        outcome
    }

    /// Decides one request (JSON text); the decision JSON. Never fails: an engine failure is
    /// a deny with reason `policy_error`.
    pub fn decide(&mut self, request: &str) -> String {
        self.text_call(|l| &l.decide, request)
            .unwrap_or_else(|e| policy_error(&e))
    }

    /// `allowed_actions` of a query `{"principal","org","resource"}`: `{"actions": [...]}`
    /// or `{"error": ...}`.
    pub fn allowed(&mut self, query: &str) -> String {
        self.text_call(|l| &l.allowed, query)
            .unwrap_or_else(|e| error_json(&e))
    }

    /// `visible_projects` of a query `{"principal","org"}`: `{"ids": [...]}` or `{"error"}`.
    pub fn visible_projects(&mut self, query: &str) -> String {
        self.text_call(|l| &l.visible_projects, query)
            .unwrap_or_else(|e| error_json(&e))
    }

    /// `visible_workspaces` of a query `{"principal","org"}`.
    pub fn visible_workspaces(&mut self, query: &str) -> String {
        self.text_call(|l| &l.visible_workspaces, query)
            .unwrap_or_else(|e| error_json(&e))
    }

    /// The policy id in force (empty before a snapshot is loaded).
    pub fn policy_id(&mut self) -> String {
        self.text_call(|l| &l.policy_id, "").unwrap_or_default()
    }

    /// One check by ids (see `docs/MODULE.md`): the reason code, `policy_error`'s on a trap.
    pub fn check(&mut self, user: i64, org: i64, action: i32, workspace: i64, project: i64) -> u32 {
        let fuel = self.limits.fuel_per_call;
        let outcome = (|| {
            let live = self.live()?;
            live.store.set_fuel(fuel)?;
            live.check
                .call(&mut live.store, (user, org, action, workspace, project))
        })();
        outcome.unwrap_or_else(|_| {
            self.live = None;
            POLICY_ERROR_CODE
        })
    }

    /// Checks a batch of id records (five little-endian i64s each); one reason code per
    /// record.
    pub fn check_batch(&mut self, records: &[u8]) -> Result<Vec<u8>> {
        let fuel = self
            .limits
            .fuel_per_call
            .saturating_mul(1 + records.len() as u64 / 40);
        let outcome = (|| {
            let live = self.live()?;
            live.store.set_fuel(fuel)?;
            Self::write_input(live, records)?;
            let n = live.check_batch.call(&mut live.store, ())?;
            let ptr = live.output.call(&mut live.store, ())?;
            let mut out = vec![0u8; n as usize];
            live.memory.read(&live.store, ptr as usize, &mut out)?;
            Ok(out)
        })();
        if outcome.is_err() {
            self.live = None;
        }
        outcome
    }
}

/// The code of `policy_error` in the module's reason table.
pub const POLICY_ERROR_CODE: u32 = 15;

fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32).chars().collect(),
            c => vec![c],
        })
        .collect()
}

fn policy_error(e: &Error) -> String {
    let cause = e.root_cause().to_string();
    format!(
        r#"{{"allow":false,"reason":"policy_error","message":"the policy module failed: {}","policy":""}}"#,
        escape(&cause)
    )
}

fn error_json(e: &Error) -> String {
    format!(
        r#"{{"error":"the policy module failed: {}"}}"#,
        escape(&e.root_cause().to_string())
    )
}
