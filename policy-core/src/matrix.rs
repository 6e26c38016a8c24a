//! The role-to-action matrix: data, not code. The built-in default is SPEC's table
//! (`default_matrix.json`); an operator may load a replacement, validated cell by cell.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};

use crate::action::{Action, Kind};
use crate::error::LoadError;
use crate::reader::{self, Reader, Res};
use crate::role::{Role, Scope};
use crate::writer::HEX;

/// The built-in matrix: SPEC §3's table, in the operator's JSON form.
pub const DEFAULT_MATRIX_JSON: &str = include_str!("default_matrix.json");

const ACTIONS: usize = Action::ALL.len();

/// What a role's cell in the matrix grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Never (a blank cell).
    None,
    /// Anywhere within the role's reach (`R`).
    Reach,
    /// Only in workspaces the member belongs to and projects they were invited to or created.
    Scoped,
    /// Within reach, only when the resource's subject is the requesting user.
    Own,
    /// As [`Grant::Own`], and only while the project enables `annotators_can_view_own_data`.
    OwnIfSetting,
}

impl Grant {
    const ALL: [Grant; 5] = [
        Grant::None,
        Grant::Reach,
        Grant::Scoped,
        Grant::Own,
        Grant::OwnIfSetting,
    ];

    /// The grant's name in the matrix JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Grant::None => "none",
            Grant::Reach => "reach",
            Grant::Scoped => "scoped",
            Grant::Own => "own",
            Grant::OwnIfSetting => "own_if_setting",
        }
    }

    fn fits(self, kind: Kind) -> bool {
        match kind {
            Kind::Organization => matches!(self, Grant::None | Grant::Reach),
            Kind::Workspace => matches!(self, Grant::None | Grant::Reach | Grant::Scoped),
            Kind::Project | Kind::Scoped => true,
        }
    }
}

/// The content hash (SHA-256) of a matrix, carried by every decision made under it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyId(pub [u8; 32]);

impl fmt::Display for PolicyId {
    /// Lowercase hex, written in one piece: every decision carries it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut hex = [0u8; 64];
        for (pair, b) in hex.chunks_exact_mut(2).zip(self.0) {
            let digit = |d: u8| HEX.get(usize::from(d)).copied().unwrap_or(b'0');
            pair.copy_from_slice(&[digit(b >> 4), digit(b & 15)]);
        }
        f.write_str(core::str::from_utf8(&hex).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PolicyId({self})")
    }
}

/// A validated role matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    grants: [[Grant; 5]; ACTIONS],
    analytics: [Option<Scope>; 5],
    id: PolicyId,
}

struct MatrixJson {
    grants: Pairs<Pairs<String>>,
    analytics_scopes: Pairs<String>,
}

/// A JSON object read as its key/value pairs in order (no map type needed: every key is
/// looked up and validated anyway). A key given twice is refused.
struct Pairs<V>(Vec<(String, V)>);

impl<V> Pairs<V> {
    fn read(r: &mut Reader<'_>, value: fn(&mut Reader<'_>) -> Res<V>) -> Res<Pairs<V>> {
        let mut pairs: Vec<(String, V)> = Vec::new();
        r.entries(&mut |r, key, at| {
            if pairs.iter().any(|(seen, _)| *seen == key) {
                return Err(r.fail_at(at, format!("key `{key}` appears twice")));
            }
            let v = value(r)?;
            pairs.push((key.into_owned(), v));
            Ok(())
        })?;
        Ok(Pairs(pairs))
    }
}

impl MatrixJson {
    fn read(r: &mut Reader<'_>) -> Res<MatrixJson> {
        let mut m = MatrixJson {
            grants: Pairs(Vec::new()),
            analytics_scopes: Pairs(Vec::new()),
        };
        r.object(&["grants", "analytics_scopes"], 0b11, &mut |r, i| {
            match i {
                0 => m.grants = Pairs::read(r, |r| Pairs::read(r, |r| r.string()))?,
                _ => m.analytics_scopes = Pairs::read(r, |r| r.string())?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl Matrix {
    /// SPEC's table.
    pub fn default_matrix() -> Result<Matrix, LoadError> {
        Matrix::from_json(DEFAULT_MATRIX_JSON)
    }

    /// Reads and validates an operator's matrix: every matrix action and every role must
    /// have exactly one cell, and each cell must suit its action's resource.
    pub fn from_json(text: &str) -> Result<Matrix, LoadError> {
        let raw = reader::parse(text, MatrixJson::read).map_err(|detail| LoadError::Json {
            what: "matrix",
            detail,
        })?;
        let mut grants = [[Grant::None; 5]; ACTIONS];
        let mut seen = [false; ACTIONS];
        for (name, cells) in &raw.grants.0 {
            let item = || format!("matrix action `{name}`");
            let action = Action::from_name(name)
                .filter(|a| a.in_matrix())
                .ok_or_else(|| LoadError::invalid(item(), "is not an action the matrix decides"))?;
            let mut row = [None; 5];
            for (role_name, grant_name) in &cells.0 {
                let role = Role::from_name(role_name).ok_or_else(|| {
                    LoadError::invalid(item(), format!("`{role_name}` is not a role"))
                })?;
                let grant = Grant::ALL
                    .into_iter()
                    .find(|g| g.name() == grant_name)
                    .ok_or_else(|| {
                        LoadError::invalid(
                            item(),
                            format!("`{grant_name}` for `{role_name}` is not a grant (none, reach, scoped, own, own_if_setting)"),
                        )
                    })?;
                if !grant.fits(action.kind()) {
                    return Err(LoadError::invalid(
                        item(),
                        format!(
                            "grant `{grant_name}` for `{role_name}` does not apply to this action's resource"
                        ),
                    ));
                }
                if let Some(slot) = row.get_mut(role.index()) {
                    *slot = Some(grant);
                }
            }
            for role in Role::ALL {
                let cell = row.get(role.index()).copied().flatten().ok_or_else(|| {
                    LoadError::invalid(item(), format!("has no cell for role `{role}`"))
                })?;
                if let Some(slot) = grants
                    .get_mut(action.index())
                    .and_then(|r| r.get_mut(role.index()))
                {
                    *slot = cell;
                }
            }
            if let Some(s) = seen.get_mut(action.index()) {
                *s = true;
            }
        }
        if let Some(missing) = Action::ALL
            .iter()
            .find(|a| a.in_matrix() && !seen.get(a.index()).copied().unwrap_or(false))
        {
            return Err(LoadError::invalid(
                "matrix",
                format!("has no row for action `{missing}`"),
            ));
        }
        let mut analytics = [None; 5];
        for (role_name, scope_name) in &raw.analytics_scopes.0 {
            let role = Role::from_name(role_name).ok_or_else(|| {
                LoadError::invalid(
                    "matrix analytics_scopes",
                    format!("`{role_name}` is not a role"),
                )
            })?;
            let scope = match scope_name.as_str() {
                "none" => None,
                other => Some(Scope::ALL.into_iter().find(|s| s.name() == other).ok_or_else(|| {
                    LoadError::invalid(
                        "matrix analytics_scopes",
                        format!("`{other}` for `{role_name}` is not a scope (none, own, project, workspace, organization)"),
                    )
                })?),
            };
            if let Some(slot) = analytics.get_mut(role.index()) {
                *slot = scope;
            }
        }
        if let Some(role) = Role::ALL
            .into_iter()
            .find(|r| !raw.analytics_scopes.0.iter().any(|(k, _)| k == r.name()))
        {
            return Err(LoadError::invalid(
                "matrix analytics_scopes",
                format!("has no scope for role `{role}`"),
            ));
        }
        let id = hash(&grants, &analytics);
        Ok(Matrix {
            grants,
            analytics,
            id,
        })
    }

    /// The cell of `action` for `role` ([`Grant::None`] for actions outside the matrix).
    #[inline]
    pub fn grant(&self, action: Action, role: Role) -> Grant {
        self.grants
            .get(action.index())
            .and_then(|row| row.get(role.index()))
            .copied()
            .unwrap_or(Grant::None)
    }

    /// The widest analytics scope `role` may ask for, if any.
    #[inline]
    pub fn analytics_scope(&self, role: Role) -> Option<Scope> {
        self.analytics.get(role.index()).copied().flatten()
    }

    /// The content hash of the matrix: equal matrices have equal ids, whatever their JSON
    /// spacing or key order.
    pub fn id(&self) -> PolicyId {
        self.id
    }
}

/// One ` role=value` of the canonical text.
fn cell(h: &mut Sha256, role: &str, value: &str) {
    h.update(b" ");
    h.update(role.as_bytes());
    h.update(b"=");
    h.update(value.as_bytes());
}

/// SHA-256 of the canonical text of the matrix: one line per action in contract order.
fn hash(grants: &[[Grant; 5]; ACTIONS], analytics: &[Option<Scope>; 5]) -> PolicyId {
    let mut h = Sha256::new();
    h.update(b"labelgate-matrix-v1\n");
    for (action, row) in Action::ALL.iter().zip(grants.iter()) {
        if !action.in_matrix() {
            continue;
        }
        h.update(action.name().as_bytes());
        for (role, grant) in Role::ALL.iter().zip(row.iter()) {
            cell(&mut h, role.name(), grant.name());
        }
        h.update(b"\n");
    }
    h.update(b"analytics.view");
    for (role, scope) in Role::ALL.iter().zip(analytics.iter()) {
        cell(&mut h, role.name(), scope.map_or("none", Scope::name));
    }
    h.update(b"\n");
    PolicyId(h.finalize().into())
}
