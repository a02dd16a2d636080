//! Stage module: ingest.
