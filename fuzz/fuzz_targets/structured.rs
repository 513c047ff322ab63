#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hookcheck::fuzz::structured::<hookcheck::parsers::ReferenceParser>(data);
});
