//! See `sco_bot::fuzzing::query`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sco_bot::fuzzing::query(data));
