//! The operator API against its own OpenAPI document: schemathesis, a property-based client
//! (from PyPI, installed in a Python virtual environment by the test set-up), runs against a
//! real `chargeplan serve` with an admin token and fails on any 5xx, any status the document
//! does not list for the operation, any answer whose body, headers or content type the
//! document does not describe, any request outside the document's limits that the server
//! accepts, any 405 without its `Allow` header, and any route that answers without a token.

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;

use crate::helpers::spawn_app;

/// The configured bootstrap admin token (at least 32 characters).
const TOKEN: &str = "openapi-conformance-admin-token-0123456789";

/// Test cases per operation and phase: enough to reach every documented limit's edges
/// (the coverage phase adds its own boundary cases), small enough to run in about a minute.
const MAX_EXAMPLES: &str = "25";

/// The one check left out: `positive_data_acceptance` expects every request the schema
/// allows to succeed, which an API with limits across fields (`from` before `to`), references
/// to stored records (a circuit of the site) and unique phone numbers cannot promise; those
/// refusals are documented 404, 409 and 422 answers.
const EXCLUDED_CHECKS: &str = "positive_data_acceptance";

/// `bin/schemathesis` in the virtual environment made by `setup_schemathesis`
/// (scripts/setup-system.sh): `$CHARGEPLAN_SCHEMATHESIS_VENV`, else
/// `target/schemathesis-venv` in the workspace.
fn schemathesis() -> PathBuf {
    let venv = std::env::var_os("CHARGEPLAN_SCHEMATHESIS_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/schemathesis-venv"),
        PathBuf::from,
    );
    let binary = venv.join("bin/schemathesis");
    assert!(
        binary.is_file(),
        "schemathesis is not installed at {}. `./dev test` installs it; by hand, from the \
         workspace: bash -c 'source scripts/setup-system.sh && setup_schemathesis'",
        binary.display()
    );
    binary
}

/// The records the documented examples name (`lot-b`, its circuit `main`), so that most
/// generated requests reach a real site rather than a 404.
async fn add_example_site(address: &str) {
    let client = reqwest::Client::new();
    for (path, body) in [
        (
            "/api/v1/sites/lot-b",
            json!({"name": "Lot B", "time_zone": "America/Los_Angeles"}),
        ),
        (
            "/api/v1/sites/lot-b/circuits",
            json!({"circuits": [{"id": "main", "name": "Main service", "cap_kw": 150}]}),
        ),
    ] {
        let response = client
            .put(format!("{address}{path}"))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("HTTP request");
        assert!(response.status().is_success(), "PUT {path}: {response:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_answer_the_openapi_document_does_not_describe() {
    let schemathesis = schemathesis();
    let data = tempfile::tempdir().expect("data directory");
    let app = spawn_app(data.path(), &[("CHARGEPLAN__API__ADMIN_TOKEN", TOKEN)]);
    add_example_site(&app.address).await;
    let work = tempfile::tempdir().expect("schemathesis working directory");

    let output = Command::new(&schemathesis)
        .current_dir(work.path())
        .env("NO_COLOR", "1")
        .args([
            "run",
            &format!("{}/api/v1/openapi.json", app.address),
            "--header",
            &format!("Authorization: Bearer {TOKEN}"),
            "--checks",
            "all",
            "--exclude-checks",
            EXCLUDED_CHECKS,
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "15",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--request-timeout",
            "10",
            "--warnings",
            "off",
        ])
        .output()
        .expect("run schemathesis");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found answers the document does not describe:\n{stdout}\n{}\n\
         server log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        app.stderr_text()
    );
    assert!(
        !app.stderr_text().contains("request failed"),
        "the server logged a failed request:\n{}",
        app.stderr_text()
    );
}
