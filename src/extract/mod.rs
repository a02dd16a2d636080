//! Stage module: extract.
