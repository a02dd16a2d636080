//! Stage module: geoparse.
