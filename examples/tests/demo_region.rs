//! The demo region runs to the end: five nodes converge and the MaS question at Breda is
//! answered with placements published in Tilburg.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

#[test]
fn demo_region_converges_and_answers_the_breda_question() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_demo-region"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Converged"), "{stdout}");
    assert!(stdout.contains("from Steunpunt Tilburg"), "{stdout}");
    assert!(
        stdout.contains("  Breda\n    trusts 1 hop: Tilburg"),
        "{stdout}"
    );
    assert!(stdout.lines().all(|l| l.chars().count() <= 80), "{stdout}");
}
