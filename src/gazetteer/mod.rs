//! Stage module: gazetteer.
