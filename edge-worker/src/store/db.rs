//! The Durable Object's SQLite database: reads as typed rows, and writes applied as one
//! transaction (`storage.transactionSync`): every statement of a write, or none. A write is
//! planned first (its statements computed from reads and the decision), then applied.

use worker::js_sys::{Function, Reflect};
use worker::wasm_bindgen::closure::Closure;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{SqlStorage, SqlStorageValue, State};

/// A value bound to a `?` placeholder.
pub type Arg = SqlStorageValue;

/// An id as a bound value (ids are below 2^53).
pub fn id(v: u64) -> Arg {
    Arg::Integer(v as i64)
}

/// A text as a bound value.
pub fn text(v: impl Into<String>) -> Arg {
    Arg::String(v.into())
}

/// An optional text as a bound value.
pub fn opt_text(v: Option<&str>) -> Arg {
    v.map_or(Arg::Null, |s| Arg::String(s.to_owned()))
}

/// A row of a query, its columns by position.
#[derive(Clone, Debug)]
pub struct Row(Vec<Arg>);

impl Row {
    /// Column `i` as an integer (`None`: `NULL`, or not an integer).
    pub fn id(&self, i: usize) -> Option<u64> {
        match self.0.get(i)? {
            Arg::Integer(v) => u64::try_from(*v).ok(),
            Arg::Float(f) if f.fract() == 0.0 && *f >= 0.0 => Some(*f as u64),
            Arg::Boolean(b) => Some(u64::from(*b)),
            _ => None,
        }
    }

    /// Column `i` as text (`None`: `NULL`, or not text).
    pub fn text(&self, i: usize) -> Option<String> {
        match self.0.get(i)? {
            Arg::String(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// One statement of a write.
#[derive(Clone, Debug)]
pub struct Stmt {
    /// The SQL.
    pub sql: String,
    /// Its bound values.
    pub args: Vec<Arg>,
}

/// A statement of a write.
pub fn stmt(sql: impl Into<String>, args: Vec<Arg>) -> Stmt {
    Stmt {
        sql: sql.into(),
        args,
    }
}

/// The database of one Durable Object.
#[derive(Clone)]
pub struct Db {
    sql: SqlStorage,
    storage: JsValue,
}

fn js(e: impl Into<JsValue>) -> String {
    crate::http::fetch::js_error(&e.into())
}

impl Db {
    /// The database of the object `state` belongs to.
    pub fn of(state: &State) -> Db {
        let storage = state.storage();
        let raw: &JsValue = storage.as_raw().as_ref();
        Db {
            sql: storage.sql(),
            storage: raw.clone(),
        }
    }

    /// Rows of `sql`, their columns in the order it selects them.
    pub fn rows(&self, sql: &str, args: Vec<Arg>) -> Result<Vec<Row>, String> {
        let err = |e: worker::Error| format!("sql `{}`: {e}", first_line(sql));
        self.sql
            .exec(sql, args)
            .map_err(err)?
            .raw()
            .map(|r| r.map(Row).map_err(err))
            .collect()
    }

    /// The first column of every row, as integers.
    pub fn ids(&self, sql: &str, args: Vec<Arg>) -> Result<Vec<u64>, String> {
        Ok(self
            .rows(sql, args)?
            .iter()
            .filter_map(|r| r.id(0))
            .collect())
    }

    /// One integer (`SELECT ... AS v`), or `None` with no row or `NULL`.
    pub fn one(&self, sql: &str, args: Vec<Arg>) -> Result<Option<u64>, String> {
        Ok(self.ids(sql, args)?.into_iter().next())
    }

    /// Runs one statement on its own (migrations, staging during an import).
    pub fn run(&self, sql: &str, args: Vec<Arg>) -> Result<(), String> {
        self.sql
            .exec(sql, args)
            .map(|_| ())
            .map_err(|e| format!("sql `{}`: {e}", first_line(sql)))
    }

    /// Applies `stmts` as one transaction: all of them, or, if one fails (or the test fault
    /// `fail_after` statements in, only with the feature `test-endpoints`), none.
    /// `storage.transactionSync` rolls back on a throw.
    pub fn apply(&self, stmts: Vec<Stmt>, fail_after: Option<usize>) -> Result<(), String> {
        let sql = self.sql.clone();
        let body = Closure::once(move || -> Result<JsValue, JsValue> {
            for (i, s) in stmts.into_iter().enumerate() {
                if cfg!(feature = "test-endpoints") && fail_after == Some(i) {
                    return Err(JsValue::from_str("injected fault"));
                }
                let first = first_line(&s.sql).to_owned();
                sql.exec(&s.sql, s.args)
                    .map_err(|e| JsValue::from_str(&format!("sql `{first}`: {e}")))?;
            }
            Ok(JsValue::UNDEFINED)
        });
        let transaction: Function =
            Reflect::get(&self.storage, &JsValue::from_str("transactionSync"))
                .map_err(js)?
                .dyn_into()
                .map_err(|_| String::from("storage.transactionSync is not a function"))?;
        transaction
            .call1(&self.storage, body.as_ref().unchecked_ref())
            .map(|_| ())
            .map_err(js)
    }

    /// The database's size on disk, in bytes.
    pub fn size(&self) -> usize {
        self.sql.database_size()
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or("")
}
