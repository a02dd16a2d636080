//! The collection registry: every feature collection served under
//! `/collections/{id}` implements [`Collection`]. `events` and `places` live
//! here; later layers (`control`, `frontline`, `activity`) plug in by
//! implementing the trait and being added in [`Registry::with`].

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::params::{Format, ItemsParams, Queryable};
use super::problem::Problem;

/// Spatial and temporal extent of a collection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    /// `[west, south, east, north]`.
    pub bbox: [f64; 4],
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl Extent {
    /// The OGC API 1.0.1 `extent` object.
    pub fn to_json(&self) -> Value {
        // Whole days: the interval runs from the start of the first day to
        // the last second of the last day.
        let start = match self.start {
            Some(d) => Value::String(format!("{}T00:00:00Z", d.format("%Y-%m-%d"))),
            None => Value::Null,
        };
        let end = match self.end {
            Some(d) => Value::String(format!("{}T23:59:59Z", d.format("%Y-%m-%d"))),
            None => Value::Null,
        };
        json!({
            "spatial": {
                "bbox": [self.bbox],
                "crs": super::params::CRS84,
            },
            "temporal": {
                "interval": [[start, end]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }
        })
    }
}

/// One page of items in whatever shape the collection keeps them; it writes
/// itself in each offered format.
pub trait ItemsPage: Send {
    fn number_matched(&self) -> usize;
    fn number_returned(&self) -> usize;
    /// Cursor token of the following page (the `cursor` query parameter).
    fn next(&self) -> Option<String>;
    /// Cursor token of the preceding page.
    fn prev(&self) -> Option<String>;
    /// Bounding box of the whole result set, if cheap to know.
    fn bbox(&self) -> Option<[f64; 4]> {
        None
    }
    /// Feed what identifies this page's content (ids and versions, counts,
    /// cursors) into `h` and return true, so the ETag need not hash the whole
    /// body; false (the default) makes the ETag a hash of the body.
    fn validator(&self, _h: &mut sha2::Sha256) -> bool {
        false
    }
    /// Write the page's feature number `index` (0-based, `< number_returned()`)
    /// as one GeoJSON Feature object.
    fn write_feature(&self, index: usize, out: &mut Vec<u8>) -> Result<(), Problem>;
    /// Write the features as a JSON array (`[f1,f2,…]`).
    fn write_features(&self, out: &mut Vec<u8>) -> Result<(), Problem> {
        out.push(b'[');
        for i in 0..self.number_returned() {
            if i > 0 {
                out.push(b',');
            }
            self.write_feature(i, out)?;
        }
        out.push(b']');
        Ok(())
    }
    /// Write CSV (header + rows). Only called when the collection offers CSV.
    fn write_csv(&self, _out: &mut Vec<u8>) -> Result<(), Problem> {
        Err(Problem::bad_param(
            "f",
            "CSV is not offered for this collection",
        ))
    }
    /// Write an RFC 8142 sequence of features (RS, feature, LF).
    fn write_jsonseq(&self, out: &mut Vec<u8>) -> Result<(), Problem> {
        for i in 0..self.number_returned() {
            out.push(0x1e);
            self.write_feature(i, out)?;
            out.push(b'\n');
        }
        Ok(())
    }
}

/// A feature collection served under `/collections/{id}`.
pub trait Collection: Send + Sync {
    fn id(&self) -> &'static str;
    fn title(&self) -> &'static str;
    fn description(&self) -> &'static str;
    /// Properties usable as query parameters (and listed in `/queryables`).
    fn queryables(&self) -> &'static [Queryable];
    /// Formats of `items` (JSON always first).
    fn formats(&self) -> &'static [Format] {
        &[Format::Json, Format::JsonSeq]
    }
    /// Further accepted items parameters (passed to [`Collection::items`]).
    fn extra_params(&self) -> &'static [&'static str] {
        &[]
    }
    /// Geometry kind for the queryables schema (`geometry-point`, …).
    fn geometry_format(&self) -> &'static str {
        "geometry-point"
    }
    /// Current extent (None when empty).
    fn extent(&self) -> Option<Extent>;
    /// A page of items.
    fn items(
        &self,
        params: &ItemsParams,
        extra: &BTreeMap<String, String>,
    ) -> Result<Box<dyn ItemsPage>, Problem>;
    /// One feature as a page of one (so every items format works), None when unknown.
    fn item(&self, id: &str) -> Result<Option<Box<dyn ItemsPage>>, Problem>;
    /// Which kind of id this collection uses, for the OpenAPI document.
    fn id_description(&self) -> &'static str {
        "Feature id"
    }
}

/// The ordered set of collections.
#[derive(Clone, Default)]
pub struct Registry {
    items: Vec<Arc<dyn Collection>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a collection (later additions with the same id replace earlier ones).
    pub fn with(mut self, c: Arc<dyn Collection>) -> Self {
        self.items.retain(|x| x.id() != c.id());
        self.items.push(c);
        self
    }

    pub fn get(&self, id: &str) -> Option<&Arc<dyn Collection>> {
        self.items.iter().find(|c| c.id() == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Collection>> {
        self.items.iter()
    }

    pub fn ids(&self) -> Vec<&'static str> {
        self.items.iter().map(|c| c.id()).collect()
    }
}
