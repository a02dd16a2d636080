//! The demo dataset (`examples/demo/*.md`, news items of our own writing),
//! embedded at build time so `frontline serve --demo` works from a release
//! binary with no checkout around it.

use include_dir::{Dir, include_dir};

use crate::ingest::source::{Format, LoadOptions, parse_text};
use crate::model::Document;

static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/examples/demo");

/// Number of embedded demo news items.
pub fn demo_file_count() -> usize {
    demo_files().count()
}

fn demo_files() -> impl Iterator<Item = &'static include_dir::File<'static>> {
    DEMO.files().filter(|f| {
        let p = f.path();
        p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
            && !p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.eq_ignore_ascii_case("README.md"))
    })
}

/// The demo documents, sorted by file name, named as `frontline ingest
/// examples/demo` would name them (front-matter url, else the path); plus
/// one message per file that could not be read.
pub fn demo_documents() -> (Vec<Document>, Vec<String>) {
    let mut files: Vec<_> = demo_files().collect();
    files.sort_by(|a, b| a.path().cmp(b.path()));
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let name = format!("examples/demo/{}", f.path().display());
        let Some(text) = f.contents_utf8() else {
            errors.push(format!("{name}: not UTF-8"));
            continue;
        };
        let loaded = parse_text(
            &name,
            &name,
            text,
            Format::Markdown,
            &LoadOptions::default(),
            true,
        );
        docs.extend(loaded.docs);
        errors.extend(loaded.errors.into_iter().map(|e| e.to_string()));
    }
    (docs, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_embedded_and_dated() {
        let (docs, errors) = demo_documents();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(docs.len(), demo_file_count());
        assert!(docs.len() >= 60, "only {} demo items", docs.len());
        let mut ids = std::collections::BTreeSet::new();
        for d in &docs {
            assert!(d.published.is_some(), "{} has no date", d.id);
            assert!(!d.text.trim().is_empty(), "{} is empty", d.id);
            assert!(ids.insert(d.id.clone()), "duplicate id {}", d.id);
        }
    }
}
