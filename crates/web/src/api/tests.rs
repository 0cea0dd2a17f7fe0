//! The route tables in the module doc and the crate README against the generated document.

use std::collections::BTreeSet;

use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// (METHOD, path) of every operation in the generated document.
fn documented() -> BTreeSet<(String, String)> {
    let document: Value =
        serde_json::to_value(super::openapi::build()).expect("document serializes");
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

/// (METHOD, path) of the rows "| `GET` | `/api/v1/...` |" of a Markdown table in `text`
/// (lines may start with `//! `).
fn table_rows(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .map(|line| line.trim_start_matches("//!").trim())
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).skip(1);
            let method = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            let path = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            (METHODS.contains(&method.to_lowercase().as_str()) && path.starts_with("/api/v1"))
                .then(|| (method.to_owned(), path.to_owned()))
        })
        .collect()
}

#[test]
fn the_module_doc_table_lists_exactly_the_documented_routes() {
    let table = table_rows(include_str!("mod.rs"));
    assert_eq!(table, documented());
}

#[test]
fn the_readme_table_lists_exactly_the_documented_routes() {
    let table = table_rows(include_str!("../../README.md"));
    assert_eq!(table, documented());
}

#[test]
fn every_operation_but_the_document_and_its_reference_page_needs_a_token_and_documents_its_errors()
{
    let document: Value =
        serde_json::to_value(super::openapi::build()).expect("document serializes");
    assert_eq!(document["security"], serde_json::json!([{"bearer": []}]));
    for (method, path) in documented() {
        let operation = &document["paths"][&path][method.to_lowercase()];
        let responses = operation["responses"].as_object().expect("responses");
        if path == "/api/v1/openapi.json" || path == "/api/v1/docs" {
            assert_eq!(operation["security"], serde_json::json!([{}]), "{path}");
            continue;
        }
        assert!(operation.get("security").is_none(), "{method} {path}");
        assert!(responses.contains_key("401"), "{method} {path}");
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{method} {path}"
        );
        // Only `PUT /api/v1/sites/{site_id}` creates what it names (admins only).
        let creates_site = method == "PUT" && path == "/api/v1/sites/{site_id}";
        if path.contains("{site_id}") && !creates_site {
            assert!(responses.contains_key("404"), "{method} {path}");
        }
        // A change can be refused for the role or a missing CSRF token; a read cannot.
        assert_eq!(
            responses.contains_key("403"),
            method != "GET",
            "{method} {path}"
        );
        if matches!(method.as_str(), "PUT" | "POST" | "PATCH") {
            assert!(responses.contains_key("422"), "{method} {path}");
            assert!(
                operation["requestBody"]["content"]["application/json"].is_object(),
                "{method} {path}"
            );
        }
    }
}

#[test]
fn api_routes_are_added_only_through_the_openapi_router() {
    // A plain axum `.route(...)` would serve a path the document does not list.
    assert!(!include_str!("mod.rs").contains(concat!(".route", "(")));
    let lib = include_str!("../lib.rs");
    for plain in [".route(\"/api", ".nest(\"/api", ".route_service(\"/api"] {
        assert!(!lib.contains(plain), "lib.rs mounts {plain}");
    }
}
