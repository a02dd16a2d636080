//! frontline: turns war reporting into a live, dated map.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! ingest ──▶ geoparse ──▶ extract ──▶ store (+ R-tree) ──▶ api ──▶ static/ map
//!              ▲
//!          gazetteer
//! ```
//!
//! Types that cross a stage boundary live in [`model`].

pub mod api;
pub mod cli;
pub mod extract;
pub mod gazetteer;
pub mod geoparse;
pub mod ingest;
pub mod layers;
pub mod model;
pub mod store;
