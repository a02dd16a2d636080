//! Stage module: api.
