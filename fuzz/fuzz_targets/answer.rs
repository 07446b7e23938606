//! See `sco_bot::fuzzing::answer`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sco_bot::fuzzing::answer(data));
