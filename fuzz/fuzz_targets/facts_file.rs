//! See `sco_bot::fuzzing::facts_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sco_bot::fuzzing::facts_file(data));
