//! Stage module: store.
