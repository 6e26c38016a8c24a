//! The store: one Durable Object per organization (named `org:<id>`), with SQLite storage,
//! holding that organization's facts (SPEC §4), its revision and the journal of its changes;
//! and one more, named `directory`, that knows which organizations a user belongs to and
//! which organization a project or workspace is in, for routing. The Worker talks to them
//! through [`client`]; they answer JSON over `fetch`:
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /import` (lines of JSON, see [`load`]) | `{revision, rows}`; the facts replaced at once |
//! | `GET /export` | the organization's snapshot JSON, canonical |
//! | `POST /slice` `{user, groups, known, since}` | `{revision, facts}` (`facts` null: unchanged since `since`) |
//! | `GET /revision` | `{revision}` |
//! | `POST /write` `{actor, known, op}` (`op`: a [`protocol::Op`], see [`ops`]) | `{refused, decision, revision, result}` |
//! | `POST /read` a [`protocol::Read`] (see [`read`]) | the page or item |
//! | `POST /signup` `{token}` | the decision of `org.signup` |
//! | `GET /stats` | `{size_bytes, revision}` |
//! | `POST /dir/...` (the directory, see [`directory`]) | |

pub mod db;
pub mod directory;
pub mod facts;
pub mod load;
pub mod namespace;
pub mod object;
pub mod ops;
pub mod protocol;
pub mod reach;
pub mod read;
pub mod schema;
