//! ipvsadm's argument grammar: NUL-separated words.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipvs::fuzzing::args(data));
