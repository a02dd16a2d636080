-- frontline schema, SQLite backend (a PostgreSQL backend keeps its own
-- migrations in migrations/postgres/; sqlx ignores sub-directories here).
--
-- Dates are ISO 'YYYY-MM-DD' text, timestamps RFC 3339 text. An event row
-- holds the effective event (its representative report with manual
-- corrections applied) in plain columns, so SQL can filter on them and the
-- in-memory index is rebuilt without decoding JSON; `base_source` points at
-- the representative report and `overrides` holds the corrections.

CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    ext_id      TEXT    NOT NULL,            -- caller's id (path, JSONL id, feed guid)
    url         TEXT,
    text_hash   TEXT    NOT NULL,            -- sha256 of the normalised text
    title       TEXT,
    source      TEXT,
    published   TEXT,
    language    TEXT,
    text        TEXT    NOT NULL,
    n_posts     INTEGER NOT NULL DEFAULT 1,
    n_events    INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX documents_url ON documents (url) WHERE url IS NOT NULL;
CREATE INDEX documents_ext_id ON documents (ext_id);
CREATE INDEX documents_text_hash ON documents (text_hash);

-- Posts of a live-blog page (one row per post; plain documents have none).
CREATE TABLE posts (
    document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal      INTEGER NOT NULL,
    title        TEXT,
    published    TEXT,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    PRIMARY KEY (document_id, ordinal)
);

-- Gazetteer places referenced by events.
CREATE TABLE places (
    geonameid    INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    country_code TEXT NOT NULL,
    admin1       TEXT NOT NULL
);

-- Merged events (one per merge key: type + place + day). The id is derived
-- from the merge key, so the key is looked up through the primary key.
CREATE TABLE events (
    id             TEXT    PRIMARY KEY,
    merge_key      TEXT    NOT NULL,
    date_start     TEXT    NOT NULL,
    date_end       TEXT    NOT NULL,
    time_precision TEXT    NOT NULL,
    event_type     TEXT    NOT NULL,
    sub_event_type TEXT    NOT NULL,
    frontline      INTEGER NOT NULL,
    actor          TEXT    NOT NULL,
    precision      TEXT    NOT NULL,
    lon            REAL    NOT NULL,
    lat            REAL    NOT NULL,
    geonameid      INTEGER,
    country_code   TEXT    NOT NULL,
    admin1         TEXT    NOT NULL,
    confidence     REAL    NOT NULL,
    place_name     TEXT    NOT NULL,
    surface_form   TEXT    NOT NULL,
    approximate    INTEGER NOT NULL,
    claims         TEXT    NOT NULL,        -- JSON array of {by, stance}
    doc_id         TEXT    NOT NULL,        -- the representative report's document
    extracted_id   TEXT    NOT NULL,        -- and its extracted event id
    published      TEXT,
    evidence_text  TEXT    NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end   INTEGER NOT NULL,
    n_reports      INTEGER NOT NULL,
    base_source    INTEGER NOT NULL,        -- event_sources.id of the representative report
    overrides      TEXT,                    -- JSON: manual corrections (EventPatch)
    deleted        INTEGER NOT NULL DEFAULT 0,  -- tombstone: re-ingest does not revive it
    version        INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    CHECK (date_start <= date_end)
) WITHOUT ROWID;

-- Each report (one extracted event of one document) supporting an event.
CREATE TABLE event_sources (
    id             INTEGER PRIMARY KEY,
    event_id       TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    document_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    extracted_id   TEXT    NOT NULL,
    confidence     REAL    NOT NULL,
    evidence_text  TEXT    NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end   INTEGER NOT NULL,
    report         TEXT    NOT NULL         -- JSON: the extracted model::Event
);
CREATE INDEX event_sources_event ON event_sources (event_id);
CREATE INDEX event_sources_document ON event_sources (document_id);

-- Audit trail of manual changes (PATCH / DELETE through the API).
CREATE TABLE event_audit (
    id       INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    at       TEXT NOT NULL,
    who      TEXT NOT NULL,
    action   TEXT NOT NULL,                 -- 'patch' | 'delete'
    patch    TEXT,
    before   TEXT,
    after    TEXT
);
CREATE INDEX event_audit_event ON event_audit (event_id);
