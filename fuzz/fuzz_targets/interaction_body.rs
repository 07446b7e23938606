//! See `sco_bot::fuzzing::interaction_body`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sco_bot::fuzzing::interaction_body(data));
