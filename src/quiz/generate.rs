//! Question generation (being written).
