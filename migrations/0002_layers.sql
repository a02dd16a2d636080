-- Front-line layers: dated polygon snapshots imported with `frontline layers import`
-- (owned by src/layers/). One row per (layer, date); a re-import of the same
-- date replaces the row. Geometry is a GeoJSON MultiPolygon in CRS84, repaired
-- on import; the bbox columns allow cheap spatial filtering in SQL.

CREATE TABLE layer_snapshots (
    -- AUTOINCREMENT: ids never repeat, so (count, max id) fingerprints the table.
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    layer         TEXT    NOT NULL,          -- [a-z0-9_]{1,64}
    date          TEXT    NOT NULL,          -- 'YYYY-MM-DD': valid from this day
    source        TEXT,                      -- file the snapshot came from
    imported_at   TEXT    NOT NULL,          -- RFC 3339
    n_polygons    INTEGER NOT NULL,
    n_vertices    INTEGER NOT NULL,
    min_lon       REAL,                      -- NULL for an empty snapshot
    min_lat       REAL,
    max_lon       REAL,
    max_lat       REAL,
    geometry      TEXT    NOT NULL,          -- GeoJSON MultiPolygon (CRS84)
    geometry_hash TEXT    NOT NULL,          -- sha256 of `geometry` (shares identical snapshots in memory)
    report        TEXT    NOT NULL DEFAULT '[]', -- JSON array of import messages (skipped / repaired)
    UNIQUE (layer, date)
);
CREATE INDEX layer_snapshots_bbox ON layer_snapshots (min_lon, max_lon, min_lat, max_lat);
