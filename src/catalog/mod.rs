//! The Valentina Noir API as data: the generated operation, schema and enum tables, and the
//! pure code that reads them (paths, query strings, schema checks). No JavaScript here.

pub mod op;
pub mod query;
pub mod schema;
#[rustfmt::skip]
pub mod table;
