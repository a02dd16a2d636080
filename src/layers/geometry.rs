//! Polygon layers: reading GeoJSON polygons (with per-feature reports and
//! ring repair) and a prepared index for fast point-in-polygon queries.
//!
//! Input: a FeatureCollection, a Feature or a bare geometry, in CRS84
//! (longitude, latitude). Polygon and MultiPolygon geometries are kept
//! (also inside GeometryCollections); features with null geometry or another
//! geometry type are reported with their index and skipped.
//!
//! Ring repairs, each reported:
//! * consecutive duplicate positions are dropped (silently: harmless);
//! * an unclosed ring is closed;
//! * a ring with fewer than 3 distinct positions is dropped (for an exterior
//!   ring: the whole polygon);
//! * orientation is set to RFC 7946 (exterior counter-clockwise, holes
//!   clockwise);
//! * a polygon whose rings cross (self-intersection, hole crossing the
//!   exterior) is rebuilt with the even-odd rule (a bow-tie becomes two
//!   triangles); if that fails the polygon is reported and skipped.
//!
//! Positions must be numbers within [-180, 180] × [-90, 90]; a feature with
//! anything else (projected coordinates, strings, NaN) is reported and
//! skipped. A `crs` member naming anything but CRS84/EPSG:4326 rejects the file.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use geo::algorithm::line_intersection::{LineIntersection, line_intersection};
use geo::{
    BooleanOps, BoundingRect, Contains, Coord, Line, LineString, MultiPolygon, Point, Polygon,
    Rect, Winding,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree, RTreeObject};
use serde_json::Value;

/// What happened to a part of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// The feature or polygon was not imported.
    Skipped,
    /// The geometry was changed to make it valid.
    Repaired,
}

/// One reported problem, located by feature index (None for a bare geometry)
/// and polygon index within the feature's geometry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub feature: Option<usize>,
    pub polygon: Option<usize>,
    pub kind: IssueKind,
    pub detail: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.feature {
            Some(i) => write!(f, "feature {i}")?,
            None => write!(f, "geometry")?,
        }
        if let Some(p) = self.polygon {
            write!(f, ", polygon {p}")?;
        }
        let what = match self.kind {
            IssueKind::Skipped => "skipped",
            IssueKind::Repaired => "repaired",
        };
        write!(f, ": {what}: {}", self.detail)
    }
}

/// Errors that reject a whole file.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GeoJsonError {
    #[error("not valid JSON at line {line}, column {column}: {reason}")]
    Json {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("not GeoJSON: {0}")]
    NotGeoJson(String),
    #[error(
        "unsupported coordinate reference system {0:?}: only CRS84 (longitude, latitude in WGS 84) is accepted"
    )]
    Crs(String),
}

/// Polygons read from one GeoJSON document.
#[derive(Debug, Clone, Default)]
pub struct ParsedPolygons {
    /// Valid polygons, RFC 7946 orientation.
    pub polygons: Vec<Polygon<f64>>,
    /// Number of features in the input (1 for a bare geometry).
    pub features: usize,
    pub issues: Vec<Issue>,
}

impl ParsedPolygons {
    pub fn skipped(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.kind == IssueKind::Skipped)
    }
    pub fn repaired(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.kind == IssueKind::Repaired)
    }
}

/// Reads polygons from GeoJSON text (see the module documentation).
pub fn parse_polygons(text: &str) -> Result<ParsedPolygons, GeoJsonError> {
    let root: Value = serde_json::from_str(text).map_err(|e| GeoJsonError::Json {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    let obj = root
        .as_object()
        .ok_or_else(|| GeoJsonError::NotGeoJson("the top level is not a JSON object".into()))?;
    check_crs(&root)?;
    let ty = obj.get("type").and_then(Value::as_str).ok_or_else(|| {
        GeoJsonError::NotGeoJson("the top-level object has no \"type\" string".into())
    })?;
    let mut out = ParsedPolygons::default();
    match ty {
        "FeatureCollection" => {
            let features = obj
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    GeoJsonError::NotGeoJson(
                        "FeatureCollection without a \"features\" array".into(),
                    )
                })?;
            out.features = features.len();
            for (i, f) in features.iter().enumerate() {
                read_feature(f, i, &mut out);
            }
        }
        "Feature" => {
            out.features = 1;
            read_feature(&root, 0, &mut out);
        }
        _ => {
            out.features = 1;
            read_geometry(&root, None, &mut out);
        }
    }
    Ok(out)
}

fn check_crs(root: &Value) -> Result<(), GeoJsonError> {
    let Some(crs) = root.get("crs") else {
        return Ok(());
    };
    if crs.is_null() {
        return Ok(());
    }
    let name = crs
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let n = name.to_ascii_uppercase();
    let ok = n.ends_with("CRS84")
        || n.ends_with("EPSG::4326")
        || n.ends_with("EPSG:4326")
        || n == "CRS:84";
    if ok {
        Ok(())
    } else {
        Err(GeoJsonError::Crs(name.to_string()))
    }
}

fn read_feature(f: &Value, index: usize, out: &mut ParsedPolygons) {
    let skip = |out: &mut ParsedPolygons, detail: String| {
        out.issues.push(Issue {
            feature: Some(index),
            polygon: None,
            kind: IssueKind::Skipped,
            detail,
        })
    };
    let Some(obj) = f.as_object() else {
        return skip(out, "not a JSON object".into());
    };
    if obj.get("type").and_then(Value::as_str) != Some("Feature") {
        return skip(
            out,
            "not a Feature (its \"type\" is not \"Feature\")".into(),
        );
    }
    match obj.get("geometry") {
        None | Some(Value::Null) => skip(out, "null geometry".into()),
        Some(g) => read_geometry(g, Some(index), out),
    }
}

fn read_geometry(g: &Value, feature: Option<usize>, out: &mut ParsedPolygons) {
    let skip = |out: &mut ParsedPolygons, polygon: Option<usize>, detail: String| {
        out.issues.push(Issue {
            feature,
            polygon,
            kind: IssueKind::Skipped,
            detail,
        })
    };
    let ty = g.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "Polygon" => match g.get("coordinates").map(parse_polygon_coords) {
            Some(Ok(rings)) => repair_into(rings, feature, None, out),
            Some(Err(e)) => skip(out, None, format!("Polygon {e}")),
            None => skip(out, None, "Polygon without coordinates".into()),
        },
        "MultiPolygon" => {
            let Some(parts) = g.get("coordinates").and_then(Value::as_array) else {
                return skip(out, None, "MultiPolygon without a coordinates array".into());
            };
            for (p, part) in parts.iter().enumerate() {
                match parse_polygon_coords(part) {
                    Ok(rings) => repair_into(rings, feature, Some(p), out),
                    Err(e) => skip(out, Some(p), format!("MultiPolygon part {e}")),
                }
            }
        }
        "GeometryCollection" => match g.get("geometries").and_then(Value::as_array) {
            Some(gs) => {
                for member in gs {
                    let t = member.get("type").and_then(Value::as_str).unwrap_or("");
                    if t == "Polygon" || t == "MultiPolygon" || t == "GeometryCollection" {
                        read_geometry(member, feature, out);
                    } else {
                        skip(
                            out,
                            None,
                            format!(
                                "unsupported geometry type {} inside a GeometryCollection",
                                shown(t)
                            ),
                        );
                    }
                }
            }
            None => skip(
                out,
                None,
                "GeometryCollection without a geometries array".into(),
            ),
        },
        "" => skip(out, None, "geometry without a \"type\"".into()),
        other => skip(
            out,
            None,
            format!(
                "unsupported geometry type {} (only Polygon and MultiPolygon)",
                shown(other)
            ),
        ),
    }
}

fn shown(s: &str) -> String {
    let mut t: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    format!("{t:?}")
}

/// Parses `[[[lon, lat], ...], ...]` with range checks.
fn parse_polygon_coords(v: &Value) -> Result<Vec<Vec<Coord<f64>>>, String> {
    let rings = v
        .as_array()
        .ok_or("coordinates are not an array of rings")?;
    if rings.is_empty() {
        return Err("has no rings".into());
    }
    let mut out = Vec::with_capacity(rings.len());
    for (r, ring) in rings.iter().enumerate() {
        let positions = ring
            .as_array()
            .ok_or_else(|| format!("ring {r} is not an array of positions"))?;
        let mut coords = Vec::with_capacity(positions.len());
        for (i, p) in positions.iter().enumerate() {
            let (x, y) = match p.as_array().map(Vec::as_slice) {
                Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
                    (Some(x), Some(y)) => (x, y),
                    _ => {
                        return Err(format!(
                            "ring {r}, position {i} is not a [longitude, latitude] pair of numbers"
                        ));
                    }
                },
                _ => {
                    return Err(format!(
                        "ring {r}, position {i} is not a [longitude, latitude] pair of numbers"
                    ));
                }
            };
            if !(x.is_finite()
                && y.is_finite()
                && (-180.0..=180.0).contains(&x)
                && (-90.0..=90.0).contains(&y))
            {
                return Err(format!(
                    "ring {r}, position {i} ({x}, {y}) is outside longitude [-180, 180] / latitude [-90, 90]: not CRS84 (projected coordinates?)"
                ));
            }
            coords.push(Coord { x, y });
        }
        out.push(coords);
    }
    Ok(out)
}

/// Repairs one polygon's rings and appends the result (or reports it).
fn repair_into(
    rings: Vec<Vec<Coord<f64>>>,
    feature: Option<usize>,
    polygon: Option<usize>,
    out: &mut ParsedPolygons,
) {
    let (polys, issues) = repair_polygon(rings);
    for (kind, detail) in issues {
        out.issues.push(Issue {
            feature,
            polygon,
            kind,
            detail,
        });
    }
    out.polygons.extend(polys);
}

/// Repairs the rings of one polygon (exterior first). Returns the valid
/// polygons (usually one) and what was done.
pub fn repair_polygon(
    rings: Vec<Vec<Coord<f64>>>,
) -> (Vec<Polygon<f64>>, Vec<(IssueKind, String)>) {
    let mut issues = Vec::new();
    let mut fixed: Vec<LineString<f64>> = Vec::with_capacity(rings.len());
    let mut unclosed = 0usize;
    let mut reoriented = 0usize;
    for (r, mut ring) in rings.into_iter().enumerate() {
        ring.dedup();
        if ring.len() >= 2 && ring.first() != ring.last() {
            unclosed += 1;
            let first = ring[0];
            ring.push(first);
        }
        if ring.len() < 4 {
            if r == 0 {
                issues.push((
                    IssueKind::Skipped,
                    "exterior ring has fewer than 3 distinct positions".to_string(),
                ));
                return (Vec::new(), issues);
            }
            issues.push((
                IssueKind::Repaired,
                format!("hole {r} has fewer than 3 distinct positions; dropped"),
            ));
            continue;
        }
        let mut ls = LineString::new(ring);
        let want_ccw = r == 0;
        if ls.is_ccw() != want_ccw {
            reoriented += 1;
            if want_ccw {
                ls.make_ccw_winding();
            } else {
                ls.make_cw_winding();
            }
        }
        fixed.push(ls);
    }
    if unclosed > 0 {
        issues.push((
            IssueKind::Repaired,
            format!("{unclosed} unclosed ring(s) closed"),
        ));
    }
    if reoriented > 0 {
        issues.push((
            IssueKind::Repaired,
            format!("{reoriented} ring(s) reoriented (RFC 7946: exterior counter-clockwise, holes clockwise)"),
        ));
    }
    let mut it = fixed.into_iter();
    let Some(exterior) = it.next() else {
        return (Vec::new(), issues);
    };
    let poly = Polygon::new(exterior, it.collect());
    if !rings_cross(&poly) {
        return (vec![poly], issues);
    }
    // Rebuild with the even-odd rule.
    let empty = MultiPolygon::<f64>::new(Vec::new());
    match catch_unwind(AssertUnwindSafe(|| poly.union(&empty))) {
        Ok(mp) if !mp.0.is_empty() => {
            let parts: Vec<Polygon<f64>> = mp.0.into_iter().map(orient_rfc7946).collect();
            issues.push((
                IssueKind::Repaired,
                format!(
                    "self-intersecting rings rebuilt with the even-odd rule into {} polygon(s)",
                    parts.len()
                ),
            ));
            (parts, issues)
        }
        _ => {
            issues.push((
                IssueKind::Skipped,
                "self-intersecting rings could not be repaired".to_string(),
            ));
            (Vec::new(), issues)
        }
    }
}

fn orient_rfc7946(p: Polygon<f64>) -> Polygon<f64> {
    let (mut ext, holes) = p.into_inner();
    ext.make_ccw_winding();
    let holes = holes
        .into_iter()
        .map(|mut h| {
            h.make_cw_winding();
            h
        })
        .collect();
    Polygon::new(ext, holes)
}

type Seg = GeomWithData<rstar::primitives::Line<[f64; 2]>, (u32, u32)>;

/// Whether any two non-adjacent edges of the polygon's rings cross (a proper
/// crossing or a collinear overlap). Touching at a vertex is allowed.
pub fn rings_cross(p: &Polygon<f64>) -> bool {
    let rings: Vec<&LineString<f64>> = std::iter::once(p.exterior()).chain(p.interiors()).collect();
    let mut segs: Vec<Seg> = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        for (i, l) in ring.lines().enumerate() {
            if l.start == l.end {
                continue;
            }
            segs.push(GeomWithData::new(
                rstar::primitives::Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]),
                (r as u32, i as u32),
            ));
        }
    }
    let n_edges: Vec<u32> = rings
        .iter()
        .map(|r| r.0.len().saturating_sub(1) as u32)
        .collect();
    let tree = RTree::bulk_load(segs.clone());
    for s in &segs {
        let (r, i) = s.data;
        for o in tree.locate_in_envelope_intersecting(&s.envelope()) {
            let (r2, j) = o.data;
            if (r2, j) <= (r, i) {
                continue;
            }
            if r2 == r {
                let n = n_edges[r as usize];
                if j == i + 1 || (i == 0 && j + 1 == n) {
                    continue;
                }
            }
            let a = Line::new(
                Coord {
                    x: s.geom().from[0],
                    y: s.geom().from[1],
                },
                Coord {
                    x: s.geom().to[0],
                    y: s.geom().to[1],
                },
            );
            let b = Line::new(
                Coord {
                    x: o.geom().from[0],
                    y: o.geom().from[1],
                },
                Coord {
                    x: o.geom().to[0],
                    y: o.geom().to[1],
                },
            );
            match line_intersection(a, b) {
                Some(LineIntersection::SinglePoint {
                    is_proper: true, ..
                }) => return true,
                Some(LineIntersection::Collinear { intersection })
                    if intersection.start != intersection.end =>
                {
                    return true;
                }
                _ => {}
            }
        }
    }
    false
}

/// Polygons with more vertices than this get an edge index.
const EDGE_INDEX_MIN_VERTICES: usize = 64;

type Edge = rstar::primitives::Line<[f64; 2]>;

/// One polygon prepared for point queries.
#[derive(Debug, Clone)]
struct PreparedPolygon {
    polygon: Polygon<f64>,
    bbox: Rect<f64>,
    /// Every ring edge, for ray-crossing counts on large polygons.
    edges: Option<RTree<Edge>>,
}

impl PreparedPolygon {
    fn contains(&self, x: f64, y: f64) -> bool {
        let min = self.bbox.min();
        let max = self.bbox.max();
        if x < min.x || x > max.x || y < min.y || y > max.y {
            return false;
        }
        match &self.edges {
            None => self.polygon.contains(&Point::new(x, y)),
            Some(tree) => {
                // Even-odd ray casting to the east over all rings: only the
                // edges whose boxes meet the ray are visited.
                let ray = AABB::from_corners([x, y], [max.x, y]);
                let mut inside = false;
                for e in tree.locate_in_envelope_intersecting(&ray) {
                    let (a, b) = (e.from, e.to);
                    if (a[1] > y) != (b[1] > y) {
                        let xi = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                        if x < xi {
                            inside = !inside;
                        }
                    }
                }
                inside
            }
        }
    }
}

/// A set of polygons (one layer snapshot) prepared for point-in-polygon
/// queries: an R-tree of polygon boxes, and for large polygons an R-tree of
/// their edges.
#[derive(Debug, Clone)]
pub struct PolygonIndex {
    polys: Vec<PreparedPolygon>,
    boxes: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    bbox: Option<Rect<f64>>,
    n_vertices: usize,
}

impl PolygonIndex {
    pub fn new(polygons: Vec<Polygon<f64>>) -> PolygonIndex {
        let mut polys = Vec::with_capacity(polygons.len());
        let mut boxes = Vec::with_capacity(polygons.len());
        let mut bbox: Option<Rect<f64>> = None;
        let mut n_vertices = 0;
        for p in polygons {
            let Some(b) = p.bounding_rect() else { continue };
            let verts: usize =
                p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>();
            n_vertices += verts;
            bbox = Some(match bbox {
                None => b,
                Some(a) => Rect::new(
                    Coord {
                        x: a.min().x.min(b.min().x),
                        y: a.min().y.min(b.min().y),
                    },
                    Coord {
                        x: a.max().x.max(b.max().x),
                        y: a.max().y.max(b.max().y),
                    },
                ),
            });
            let edges = (verts > EDGE_INDEX_MIN_VERTICES).then(|| {
                let mut es = Vec::with_capacity(verts);
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    for l in ring.lines() {
                        es.push(Edge::new([l.start.x, l.start.y], [l.end.x, l.end.y]));
                    }
                }
                RTree::bulk_load(es)
            });
            boxes.push(GeomWithData::new(
                Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                polys.len() as u32,
            ));
            polys.push(PreparedPolygon {
                polygon: p,
                bbox: b,
                edges,
            });
        }
        PolygonIndex {
            polys,
            boxes: RTree::bulk_load(boxes),
            bbox,
            n_vertices,
        }
    }

    /// Whether the point (lon, lat) lies inside any polygon.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let Some(b) = self.bbox else { return false };
        if !(lon >= b.min().x && lon <= b.max().x && lat >= b.min().y && lat <= b.max().y) {
            return false;
        }
        self.boxes
            .locate_all_at_point(&[lon, lat])
            .any(|r| self.polys[r.data as usize].contains(lon, lat))
    }

    pub fn polygons(&self) -> impl Iterator<Item = &Polygon<f64>> {
        self.polys.iter().map(|p| &p.polygon)
    }

    pub fn len(&self) -> usize {
        self.polys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.polys.is_empty()
    }

    pub fn n_vertices(&self) -> usize {
        self.n_vertices
    }

    /// `[west, south, east, north]`, None when empty.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        self.bbox
            .map(|b| [b.min().x, b.min().y, b.max().x, b.max().y])
    }
}

/// Writes polygons as a GeoJSON MultiPolygon geometry; `round` limits the
/// decimals (None keeps full precision).
pub fn write_multipolygon<'a>(
    polys: impl Iterator<Item = &'a Polygon<f64>>,
    round: Option<u32>,
    out: &mut String,
) {
    use std::fmt::Write as _;
    let scale = round.map(|d| 10f64.powi(d as i32));
    let num = |v: f64, out: &mut String| {
        let v = match scale {
            Some(s) => (v * s).round() / s,
            None => v,
        };
        // f64 Display gives the shortest round-tripping form; never NaN here.
        let _ = write!(out, "{v}");
    };
    out.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
    for (pi, p) in polys.enumerate() {
        if pi > 0 {
            out.push(',');
        }
        out.push('[');
        for (ri, ring) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            if ri > 0 {
                out.push(',');
            }
            out.push('[');
            for (ci, c) in ring.0.iter().enumerate() {
                if ci > 0 {
                    out.push(',');
                }
                out.push('[');
                num(c.x, out);
                out.push(',');
                num(c.y, out);
                out.push(']');
            }
            out.push(']');
        }
        out.push(']');
    }
    out.push_str("]}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, s: f64) -> Vec<[f64; 2]> {
        vec![
            [x0, y0],
            [x0 + s, y0],
            [x0 + s, y0 + s],
            [x0, y0 + s],
            [x0, y0],
        ]
    }

    fn poly_json(rings: &[Vec<[f64; 2]>]) -> Value {
        serde_json::json!({"type": "Polygon", "coordinates": rings})
    }

    fn fc(geoms: Vec<Value>) -> String {
        let features: Vec<Value> = geoms
            .into_iter()
            .map(|g| serde_json::json!({"type": "Feature", "properties": {}, "geometry": g}))
            .collect();
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
    }

    #[test]
    fn reads_collection_feature_and_bare_geometry() {
        let p = parse_polygons(&fc(vec![poly_json(&[square(0.0, 0.0, 1.0)])])).unwrap();
        assert_eq!(p.polygons.len(), 1);
        assert_eq!(p.features, 1);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let f = serde_json::json!({"type": "Feature", "properties": null, "geometry": {"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 1.0)], [square(2.0, 0.0, 1.0)]]}});
        let p = parse_polygons(&f.to_string()).unwrap();
        assert_eq!(p.polygons.len(), 2);
        let bare = poly_json(&[square(0.0, 0.0, 1.0)]).to_string();
        assert_eq!(parse_polygons(&bare).unwrap().polygons.len(), 1);
    }

    #[test]
    fn null_and_unsupported_geometries_are_reported() {
        let text = fc(vec![
            poly_json(&[square(0.0, 0.0, 1.0)]),
            Value::Null,
            serde_json::json!({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
            serde_json::json!({"type": "Point", "coordinates": [0, 0]}),
        ]);
        let p = parse_polygons(&text).unwrap();
        assert_eq!(p.polygons.len(), 1);
        assert_eq!(p.features, 4);
        let skipped: Vec<String> = p.skipped().map(|i| i.to_string()).collect();
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert_eq!(skipped[0], "feature 1: skipped: null geometry");
        assert!(
            skipped[1].starts_with("feature 2: skipped: unsupported geometry type \"LineString\"")
        );
        assert!(skipped[2].starts_with("feature 3: skipped: unsupported geometry type \"Point\""));
    }

    #[test]
    fn bad_coordinates_skip_the_feature() {
        let text = fc(vec![
            poly_json(&[vec![
                [3_500_000.0, 6_000_000.0],
                [3_600_000.0, 6_000_000.0],
                [3_600_000.0, 6_100_000.0],
                [3_500_000.0, 6_000_000.0],
            ]]),
            serde_json::json!({"type": "Polygon", "coordinates": [[["a", 1], [2, 2], [3, 1], ["a", 1]]]}),
            serde_json::json!({"type": "Polygon", "coordinates": []}),
        ]);
        let p = parse_polygons(&text).unwrap();
        assert!(p.polygons.is_empty());
        let s: Vec<String> = p.skipped().map(|i| i.to_string()).collect();
        assert!(s[0].contains("not CRS84"), "{s:?}");
        assert!(s[1].contains("ring 0, position 0"), "{s:?}");
        assert!(s[2].contains("no rings"), "{s:?}");
    }

    #[test]
    fn file_level_errors() {
        assert!(matches!(
            parse_polygons("{not json"),
            Err(GeoJsonError::Json { line: 1, .. })
        ));
        assert!(matches!(
            parse_polygons("[1,2]"),
            Err(GeoJsonError::NotGeoJson(_))
        ));
        assert!(matches!(
            parse_polygons(r#"{"type":"FeatureCollection"}"#),
            Err(GeoJsonError::NotGeoJson(_))
        ));
        let crs = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}"#;
        assert!(matches!(parse_polygons(crs), Err(GeoJsonError::Crs(_))));
        let ok = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}"#;
        assert!(parse_polygons(ok).is_ok());
    }

    #[test]
    fn unclosed_ring_is_closed_and_orientation_fixed() {
        // Clockwise and unclosed.
        let ring = vec![[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]];
        let p = parse_polygons(&poly_json(&[ring]).to_string()).unwrap();
        assert_eq!(p.polygons.len(), 1);
        let ext = p.polygons[0].exterior();
        assert_eq!(ext.0.first(), ext.0.last());
        assert!(ext.is_ccw());
        let r: Vec<String> = p.repaired().map(|i| i.detail.clone()).collect();
        assert!(r.iter().any(|d| d.contains("unclosed")), "{r:?}");
        assert!(r.iter().any(|d| d.contains("reoriented")), "{r:?}");
    }

    #[test]
    fn too_short_rings() {
        let p = parse_polygons(&poly_json(&[vec![[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]).to_string())
            .unwrap();
        assert!(p.polygons.is_empty());
        assert_eq!(p.skipped().count(), 1);
        // A bad hole is dropped, the polygon kept.
        let p = parse_polygons(
            &poly_json(&[
                square(0.0, 0.0, 10.0),
                vec![[1.0, 1.0], [2.0, 1.0], [1.0, 1.0]],
            ])
            .to_string(),
        )
        .unwrap();
        assert_eq!(p.polygons.len(), 1);
        assert!(p.polygons[0].interiors().is_empty());
        assert!(p.repaired().any(|i| i.detail.contains("hole 1")));
    }

    #[test]
    fn bow_tie_is_rebuilt() {
        let bow = vec![[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0], [0.0, 0.0]];
        let p = parse_polygons(&poly_json(&[bow]).to_string()).unwrap();
        assert_eq!(p.polygons.len(), 2, "{:?}", p.issues);
        assert!(p.repaired().any(|i| i.detail.contains("even-odd")));
        let idx = PolygonIndex::new(p.polygons);
        // The lobes are left and right of the crossing at (1, 1).
        assert!(idx.contains(1.5, 1.0));
        assert!(idx.contains(0.5, 1.0));
        assert!(!idx.contains(1.0, 0.5));
        assert!(!idx.contains(1.0, 1.5));
    }

    #[test]
    fn valid_polygon_with_hole_does_not_cross() {
        let p = parse_polygons(
            &poly_json(&[square(0.0, 0.0, 10.0), square(2.0, 2.0, 2.0)]).to_string(),
        )
        .unwrap();
        assert_eq!(p.polygons.len(), 1);
        assert!(!rings_cross(&p.polygons[0]));
        // Hole reoriented to clockwise.
        assert!(p.polygons[0].interiors()[0].is_cw());
    }

    fn star(cx: f64, cy: f64, n: usize) -> Polygon<f64> {
        // A wiggly star-shaped ring with n vertices.
        let coords: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let r = 1.0 + 0.3 * ((i * 7) as f64).sin();
                Coord {
                    x: cx + r * a.cos(),
                    y: cy + r * a.sin(),
                }
            })
            .collect();
        let mut ls = LineString::new(coords);
        ls.close();
        Polygon::new(ls, vec![])
    }

    #[test]
    fn edge_index_agrees_with_geo_contains() {
        let big = star(37.0, 48.0, 3000);
        let hole = {
            let mut h = LineString::new(vec![
                Coord { x: 36.9, y: 47.9 },
                Coord { x: 36.9, y: 48.1 },
                Coord { x: 37.1, y: 48.1 },
                Coord { x: 37.1, y: 47.9 },
            ]);
            h.close();
            h
        };
        let with_hole = Polygon::new(big.exterior().clone(), vec![hole]);
        let idx = PolygonIndex::new(vec![with_hole.clone()]);
        assert!(idx.polys[0].edges.is_some());
        assert_eq!(idx.n_vertices(), 3001 + 5);
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut inside = 0;
        for _ in 0..5000 {
            let x = 35.5 + next() * 3.0;
            let y = 46.5 + next() * 3.0;
            let expect = with_hole.contains(&Point::new(x, y));
            assert_eq!(idx.contains(x, y), expect, "({x}, {y})");
            inside += usize::from(expect);
        }
        assert!(inside > 500, "{inside}");
        assert!(!idx.contains(37.0, 48.0), "inside the hole");
    }

    #[test]
    fn overlapping_polygons_are_a_union() {
        let a = Polygon::new(
            LineString::from(
                square(0.0, 0.0, 2.0)
                    .iter()
                    .map(|c| (c[0], c[1]))
                    .collect::<Vec<_>>(),
            ),
            vec![],
        );
        let b = Polygon::new(
            LineString::from(
                square(1.0, 1.0, 2.0)
                    .iter()
                    .map(|c| (c[0], c[1]))
                    .collect::<Vec<_>>(),
            ),
            vec![],
        );
        let idx = PolygonIndex::new(vec![a, b]);
        assert!(idx.contains(1.5, 1.5));
        assert!(idx.contains(0.5, 0.5));
        assert!(idx.contains(2.5, 2.5));
        assert!(!idx.contains(2.5, 0.5));
        assert_eq!(idx.bbox(), Some([0.0, 0.0, 3.0, 3.0]));
        let empty = PolygonIndex::new(vec![]);
        assert!(!empty.contains(0.0, 0.0));
        assert!(empty.is_empty());
    }

    #[test]
    fn multipolygon_text_round_trips() {
        let p = parse_polygons(&poly_json(&[square(30.123456789, 48.0, 1.0)]).to_string()).unwrap();
        let mut s = String::new();
        write_multipolygon(p.polygons.iter(), None, &mut s);
        let back = parse_polygons(&s).unwrap();
        assert_eq!(back.polygons, p.polygons);
        let mut r = String::new();
        write_multipolygon(p.polygons.iter(), Some(6), &mut r);
        assert!(r.contains("30.123457"), "{r}");
    }
}
