//! Compile errors of the derive and of the typed builder, pinned by `.stderr`
//! snapshots (regenerate with `TRYBUILD=overwrite cargo test --test ui`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
