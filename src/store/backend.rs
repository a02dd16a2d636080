//! The persistence interface every SQL backend implements.
//!
//! `Store` owns the in-memory index, the write lock and change broadcast; a
//! backend only persists and loads. A PostgreSQL/PostGIS backend adds a module
//! implementing [`BackendOps`] with the same queries, its migrations in
//! `migrations/postgres/`, and a variant of [`Backend`].

use std::sync::Arc;

use super::index::PlaceInfo;
use super::sqlite::SqliteBackend;
use super::{
    AuditEntry, EventPatch, EventQuery, IngestDocument, IngestOutcome, StoreError, StoredEvent,
};
use crate::model::Document;

/// Everything the index is built from.
pub(crate) struct Loaded {
    pub events: Vec<StoredEvent>,
    pub places: Vec<PlaceInfo>,
}

/// Result of writing one document.
pub(crate) struct WriteResult {
    pub outcome: IngestOutcome,
    /// New or changed events, in their final state.
    pub upserted: Vec<Arc<StoredEvent>>,
    pub places: Vec<PlaceInfo>,
}

/// Read access to the in-memory index during a write (the write lock is held,
/// so it mirrors the committed database).
pub(crate) type Lookup<'a> = &'a (dyn Fn(&str) -> Option<Arc<StoredEvent>> + Sync);

/// Operations of a persistence backend. All writes are one transaction each.
pub(crate) trait BackendOps {
    async fn load_all(&self) -> Result<Loaded, StoreError>;
    /// Writes a document, its posts and its events (merging by key) in one
    /// transaction.
    async fn ingest_document(
        &self,
        input: &IngestDocument,
        mem: Lookup<'_>,
    ) -> Result<WriteResult, StoreError>;
    /// Tombstones an event and records the audit entry.
    async fn delete_event(&self, before: &StoredEvent, who: &str) -> Result<bool, StoreError>;
    /// Applies a correction (kept as overrides) and records the audit entry.
    async fn patch_event(
        &self,
        before: &StoredEvent,
        patch: &EventPatch,
        who: &str,
    ) -> Result<StoredEvent, StoreError>;
    async fn audit_trail(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError>;
    /// For each document, whether it is already stored with the same text
    /// (ingesting it would change nothing).
    async fn unchanged(&self, docs: &[&Document]) -> Result<Vec<bool>, StoreError>;
    async fn document_count(&self) -> Result<u64, StoreError>;
    /// Brute-force filter in SQL (ids ordered by date_start, id).
    async fn query_ids(&self, q: &EventQuery) -> Result<Vec<String>, StoreError>;
    async fn close(&self);
}

/// The configured backend (static dispatch).
pub(crate) enum Backend {
    Sqlite(SqliteBackend),
}

impl Backend {
    pub async fn open(url_or_path: &str) -> Result<Backend, StoreError> {
        let lower = url_or_path.to_ascii_lowercase();
        if lower.starts_with("postgres:") || lower.starts_with("postgresql:") {
            return Err(StoreError::UnsupportedUrl(url_or_path.to_string()));
        }
        if lower.contains("://") && !lower.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl(url_or_path.to_string()));
        }
        Ok(Backend::Sqlite(SqliteBackend::open(url_or_path).await?))
    }

    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        match self {
            Backend::Sqlite(b) => Some(b.pool()),
        }
    }

    pub async fn load_all(&self) -> Result<Loaded, StoreError> {
        match self {
            Backend::Sqlite(b) => b.load_all().await,
        }
    }

    pub async fn ingest_document(
        &self,
        input: &IngestDocument,
        mem: Lookup<'_>,
    ) -> Result<WriteResult, StoreError> {
        match self {
            Backend::Sqlite(b) => b.ingest_document(input, mem).await,
        }
    }

    pub async fn delete_event(&self, before: &StoredEvent, who: &str) -> Result<bool, StoreError> {
        match self {
            Backend::Sqlite(b) => b.delete_event(before, who).await,
        }
    }

    pub async fn patch_event(
        &self,
        before: &StoredEvent,
        patch: &EventPatch,
        who: &str,
    ) -> Result<StoredEvent, StoreError> {
        match self {
            Backend::Sqlite(b) => b.patch_event(before, patch, who).await,
        }
    }

    pub async fn audit_trail(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.audit_trail(id).await,
        }
    }

    pub async fn unchanged(&self, docs: &[&Document]) -> Result<Vec<bool>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.unchanged(docs).await,
        }
    }

    pub async fn document_count(&self) -> Result<u64, StoreError> {
        match self {
            Backend::Sqlite(b) => b.document_count().await,
        }
    }

    pub async fn query_ids(&self, q: &EventQuery) -> Result<Vec<String>, StoreError> {
        match self {
            Backend::Sqlite(b) => b.query_ids(q).await,
        }
    }

    pub async fn close(&self) {
        match self {
            Backend::Sqlite(b) => b.close().await,
        }
    }
}
