//! See `sco_bot::fuzzing::ask`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sco_bot::fuzzing::ask(data));
