//! The ingest pipeline shared by `frontline ingest` and `POST /api/documents`:
//! unchanged documents are skipped, the rest are split into posts, geoparsed
//! and extracted in parallel (rayon), then written one transaction per
//! document, in input order.

use serde::Serialize;

use crate::model::{Document, Event};
use crate::store::{DocStatus, IngestDocument, IngestOutcome, PostInfo, Store};

/// What extraction produced for one document (all its posts).
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub events: Vec<Event>,
    /// Live-blog posts (empty or one entry for a plain article).
    pub posts: Vec<PostInfo>,
    /// Resolved place mentions found.
    pub mentions: usize,
}

/// Turns one document into events. Implemented for the real geoparser +
/// extractor and, in tests and benchmarks, by stand-ins.
pub trait Extractor: Sync {
    fn extract(&self, doc: &Document) -> Result<Extraction, String>;
}

impl Extractor for crate::geoparse::Geoparser {
    fn extract(&self, doc: &Document) -> Result<Extraction, String> {
        let mentions = self.parse(&doc.text);
        let events =
            crate::extract::extract_with_mentions(doc, &mentions).map_err(|e| e.to_string())?;
        let posts = super::liveblog::split_posts(doc)
            .into_iter()
            .map(|p| PostInfo {
                title: p.headline,
                published: p.published,
                start: p.start,
                end: p.start + p.text.chars().count(),
            })
            .collect();
        Ok(Extraction {
            events,
            posts,
            mentions: mentions.iter().filter(|m| m.place.is_some()).count(),
        })
    }
}

/// Ingests documents: geoparse + extract in parallel, then one transaction
/// per document. Per-document problems are collected in the summary.
pub async fn ingest_documents(
    store: &Store,
    gp: &crate::geoparse::Geoparser,
    docs: Vec<Document>,
) -> IngestSummary {
    ingest_with(store, gp, docs, &PipelineOptions::default()).await
}

/// A document that failed, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentError {
    /// The document's id (file path, `file:line`, URL, feed guid …).
    pub document: String,
    pub message: String,
}

/// Totals of one ingest run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    /// Documents handled (including failures).
    pub documents: usize,
    pub new_documents: usize,
    pub updated_documents: usize,
    pub unchanged_documents: usize,
    pub posts: usize,
    pub mentions: usize,
    /// Events extracted (reports), before merging.
    pub reports: usize,
    pub events_created: usize,
    pub events_updated: usize,
    pub events_merged: usize,
    pub events_removed: usize,
    pub errors: Vec<DocumentError>,
    /// One per stored or unchanged document, in input order.
    pub outcomes: Vec<IngestOutcome>,
}

impl IngestSummary {
    pub fn failed(&self) -> usize {
        self.errors.len()
    }

    /// Adds another summary's counts (e.g. feed polls).
    pub fn absorb(&mut self, o: IngestSummary) {
        self.documents += o.documents;
        self.new_documents += o.new_documents;
        self.updated_documents += o.updated_documents;
        self.unchanged_documents += o.unchanged_documents;
        self.posts += o.posts;
        self.mentions += o.mentions;
        self.reports += o.reports;
        self.events_created += o.events_created;
        self.events_updated += o.events_updated;
        self.events_merged += o.events_merged;
        self.events_removed += o.events_removed;
        self.errors.extend(o.errors);
        self.outcomes.extend(o.outcomes);
    }

    /// Records a failure that happened before the pipeline (loading).
    pub fn record_error(&mut self, document: impl Into<String>, message: impl Into<String>) {
        self.documents += 1;
        self.errors.push(DocumentError {
            document: document.into(),
            message: message.into(),
        });
    }

    fn record_outcome(&mut self, o: IngestOutcome) {
        match o.status {
            DocStatus::New => self.new_documents += 1,
            DocStatus::Updated => self.updated_documents += 1,
            DocStatus::Unchanged => self.unchanged_documents += 1,
        }
        self.events_created += o.created.len();
        self.events_updated += o.updated.len();
        self.events_merged += o.merged.len();
        self.events_removed += o.removed.len();
        self.outcomes.push(o);
    }

    /// Human-readable one-paragraph summary.
    pub fn report(&self) -> String {
        format!(
            "documents: {} ({} new, {} updated, {} unchanged, {} failed); posts: {}; mentions: {}; \
             reports: {}; events: {} created, {} updated, {} merged, {} removed; errors: {}",
            self.documents,
            self.new_documents,
            self.updated_documents,
            self.unchanged_documents,
            self.failed(),
            self.posts,
            self.mentions,
            self.reports,
            self.events_created,
            self.events_updated,
            self.events_merged,
            self.events_removed,
            self.failed()
        )
    }
}

/// Options of a pipeline run.
#[derive(Default)]
pub struct PipelineOptions<'a> {
    /// Called after each document with the number handled so far.
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
    /// Documents extracted per parallel batch (default 256).
    pub batch: usize,
}

/// What the extraction stage decided for one document.
enum Prepared {
    Unchanged,
    Failed(String),
    Extracted(Extraction),
}

fn precheck(doc: &Document) -> Option<String> {
    if doc.text.trim().is_empty() {
        Some("empty text".into())
    } else if doc.published.is_none() {
        Some("no publication date (add `published` or pass --published)".into())
    } else if doc.id.trim().is_empty() {
        Some("empty document id".into())
    } else {
        None
    }
}

/// Extraction stage for one batch: unchanged documents are skipped, the rest
/// extracted in parallel (rayon).
fn prepare<E: Extractor + ?Sized>(
    extractor: &E,
    chunk: &[Document],
    unchanged: &[bool],
) -> Vec<Prepared> {
    use rayon::prelude::*;
    chunk
        .par_iter()
        .zip(unchanged.par_iter())
        .map(|(d, &u)| {
            if let Some(msg) = precheck(d) {
                Prepared::Failed(msg)
            } else if u {
                Prepared::Unchanged
            } else {
                match extractor.extract(d) {
                    Ok(x) => Prepared::Extracted(x),
                    Err(m) => Prepared::Failed(format!("extraction failed: {m}")),
                }
            }
        })
        .collect()
}

async fn unchanged_mask(store: &Store, chunk: &[Document]) -> Vec<bool> {
    let refs: Vec<&Document> = chunk.iter().collect();
    match store.unchanged(&refs).await {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!("unchanged-document check failed: {e}");
            vec![false; chunk.len()]
        }
    }
}

/// Write stage for one batch, in input order, one transaction per document.
async fn write_batch(
    store: &Store,
    chunk: Vec<Document>,
    prepared: Vec<Prepared>,
    summary: &mut IngestSummary,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) {
    for (doc, p) in chunk.into_iter().zip(prepared) {
        summary.documents += 1;
        match p {
            Prepared::Failed(message) => summary.errors.push(DocumentError {
                document: doc.id.clone(),
                message,
            }),
            Prepared::Unchanged => summary.record_outcome(IngestOutcome {
                doc_id: doc.id.clone(),
                status: DocStatus::Unchanged,
                created: Vec::new(),
                updated: Vec::new(),
                merged: Vec::new(),
                removed: Vec::new(),
            }),
            Prepared::Extracted(x) => {
                let posts = x.posts.len().max(1);
                let reports = x.events.len();
                let mentions = x.mentions;
                let id = doc.id.clone();
                let input = IngestDocument {
                    doc,
                    posts,
                    events: x.events,
                    post_info: if x.posts.len() > 1 {
                        x.posts
                    } else {
                        Vec::new()
                    },
                };
                match store.ingest_document(&input).await {
                    Ok(o) => {
                        if o.status != DocStatus::Unchanged {
                            summary.posts += posts;
                            summary.mentions += mentions;
                            summary.reports += reports;
                        }
                        summary.record_outcome(o);
                    }
                    Err(e) => summary.errors.push(DocumentError {
                        document: id,
                        message: e.to_string(),
                    }),
                }
            }
        }
        if let Some(p) = progress {
            p(summary.documents);
        }
    }
}

/// Ingests documents with the given extractor. Never fails as a whole:
/// per-document problems are collected in the summary.
///
/// On a multi-threaded tokio runtime, extraction of the next batch (a
/// producer thread using rayon) overlaps the writes of the current one;
/// otherwise the batches run one after the other.
pub async fn ingest_with<E: Extractor + ?Sized>(
    store: &Store,
    extractor: &E,
    docs: Vec<Document>,
    opts: &PipelineOptions<'_>,
) -> IngestSummary {
    let batch = if opts.batch == 0 { 64 } else { opts.batch };
    let handle = tokio::runtime::Handle::try_current()
        .ok()
        .filter(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let mut summary = IngestSummary::default();
    let Some(handle) = handle.filter(|_| docs.len() > batch) else {
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            let chunk: Vec<Document> = docs.by_ref().take(batch).collect();
            let mask = unchanged_mask(store, &chunk).await;
            let prepared = prepare(extractor, &chunk, &mask);
            write_batch(store, chunk, prepared, &mut summary, opts.progress).await;
        }
        return summary;
    };
    tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<Document>, Vec<Prepared>)>(2);
            let producer_handle = handle.clone();
            scope.spawn(move || {
                let mut docs = docs.into_iter().peekable();
                while docs.peek().is_some() {
                    let chunk: Vec<Document> = docs.by_ref().take(batch).collect();
                    let mask = producer_handle.block_on(unchanged_mask(store, &chunk));
                    let prepared = prepare(extractor, &chunk, &mask);
                    if tx.send((chunk, prepared)).is_err() {
                        break;
                    }
                }
            });
            handle.block_on(async {
                for (chunk, prepared) in rx.iter() {
                    write_batch(store, chunk, prepared, &mut summary, opts.progress).await;
                }
            });
        });
    });
    summary
}
