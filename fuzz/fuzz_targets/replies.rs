//! Kernel replies: decoded, or played to the client as a scripted kernel.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ipvs::fuzzing::replies(data));
