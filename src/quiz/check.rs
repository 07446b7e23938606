//! Fair answer checking (being written).
