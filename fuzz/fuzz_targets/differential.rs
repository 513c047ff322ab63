#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hookcheck::fuzz::differential::<hookcheck::parsers::ReferenceParser>(data);
});
