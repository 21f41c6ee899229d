//! A restore input read and checked, and carried out when valid.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipvs::fuzzing::restore(data));
