//! Stage module: layers.
