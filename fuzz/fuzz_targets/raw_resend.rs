#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hookcheck::fuzz::raw::<hookcheck::parsers::ReferenceParser>(hookcheck::catalog::Vendor::RESEND, data);
});
