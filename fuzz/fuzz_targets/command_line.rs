//! See `sco_bot::fuzzing::command_line`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sco_bot::fuzzing::command_line(data));
