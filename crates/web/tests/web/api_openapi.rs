//! The served OpenAPI document: its OpenAPI 3.1 shape, that it lists exactly the routes
//! the router serves under `/api/v1` (every documented operation is served and guarded; no
//! other method is served on a documented path), and the reference page made from it.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::TestApp;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
const DOCUMENT: &str = "/api/v1/openapi.json";
const DOCS: &str = "/api/v1/docs";

/// (METHOD, path) of every operation of a document.
pub fn operations(document: &Value) -> BTreeSet<(String, String)> {
    document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push(target),
                    _ => refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|inner| refs(inner, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_served_without_a_token_as_openapi_3_1() {
    let app = TestApp::new().await;
    let response = app
        .send(Request::get(DOCUMENT).body(Body::empty()).expect("request"))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let document = response.json();

    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1.")),
        "{}",
        document["openapi"]
    );
    assert!(
        document["info"]["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(document["info"]["version"].is_string());
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["type"],
        "http"
    );
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(document["security"], json!([{"bearer": []}]));

    let mut operation_ids = BTreeSet::new();
    for (method, path) in operations(&document) {
        assert!(path.starts_with("/api/v1/"), "{path}");
        let operation = &document["paths"][&path][method.to_lowercase()];
        let id = operation["operationId"].as_str().expect("operationId");
        assert!(operation_ids.insert(id.to_owned()), "duplicate {id}");
        let responses = operation["responses"].as_object().expect("responses");
        assert!(!responses.is_empty(), "{method} {path}");
        for (status, response) in responses {
            assert!(status.parse::<u16>().is_ok(), "{method} {path} {status}");
            assert!(
                response["description"].is_string(),
                "{method} {path} {status}"
            );
        }
        // Every `{name}` of the path is a required path parameter.
        let declared: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .map(|params| {
                params
                    .iter()
                    .filter(|p| p["in"] == "path" && p["required"] == true)
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        assert_eq!(declared, in_path, "{method} {path}");
    }

    let mut targets = Vec::new();
    refs(&document, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {target}"));
        assert!(
            document["components"]["schemas"][name].is_object(),
            "$ref {target} resolves"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_serves_exactly_the_documented_operations() {
    let app = TestApp::new().await;
    let document = app.get(DOCUMENT).await.json();
    let documented = operations(&document);
    let paths: BTreeSet<&String> = documented.iter().map(|(_, path)| path).collect();
    assert!(paths.len() > 15, "{paths:?}");

    for path in paths {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS {
            let method_name = method.to_uppercase();
            let is_documented = documented.contains(&(method_name.clone(), path.clone()));
            let request = Request::builder()
                .method(Method::from_bytes(method_name.as_bytes()).expect("method"))
                .uri(&concrete)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .expect("request");
            let reply = app.send(request).await;
            let expected = match (is_documented, path.as_str()) {
                (false, _) => StatusCode::METHOD_NOT_ALLOWED,
                (true, DOCUMENT | DOCS) => StatusCode::OK,
                (true, _) => StatusCode::UNAUTHORIZED,
            };
            assert_eq!(
                reply.status, expected,
                "{method_name} {concrete}: {}",
                reply.body
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_page_lists_every_operation_with_its_parameters_body_and_answers() {
    let app = TestApp::new().await;
    let document = app.get(DOCUMENT).await.json();

    let page = app
        .send(Request::get(DOCS).body(Body::empty()).expect("request"))
        .await;

    assert_eq!(
        page.status,
        StatusCode::OK,
        "no token needed: {}",
        page.body
    );
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let html = &page.body;
    for (method, path) in operations(&document) {
        let heading = format!("<span class=\"method\">{method}</span> <code>{path}</code>");
        assert!(html.contains(&heading), "{method} {path} has its section");
    }
    // One operation in full: PUT /api/v1/sites/{site_id}/circuits/{circuit_id}/cap.
    let cap = &document["paths"]["/api/v1/sites/{site_id}/circuits/{circuit_id}/cap"]["put"];
    let id = cap["operationId"].as_str().expect("operation id");
    let section = &html[html
        .find(&format!("<article id=\"{id}\">"))
        .expect("its section")..];
    let section = &section[..section.find("</article>").expect("end")];
    for parameter in ["site_id", "circuit_id"] {
        assert!(
            section.contains(&format!("<code>{parameter}</code>")),
            "{section}"
        );
    }
    assert!(section.contains("Request body"), "{section}");
    for status in cap["responses"].as_object().expect("answers").keys() {
        assert!(
            section.contains(&format!("<th scope=\"row\">{status}</th>")),
            "{status}"
        );
    }
    let body_ref = cap["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .expect("a named body schema");
    let body_schema = body_ref.rsplit('/').next().expect("name");
    assert!(
        section.contains(&format!("href=\"#schema-{body_schema}\"")),
        "{section}"
    );
    for name in document["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
    {
        assert!(
            html.contains(&format!("id=\"schema-{name}\"")),
            "schema {name}"
        );
    }
    assert!(!html.contains("<script"), "nothing runs");
    assert!(
        !html.contains("src=") && !html.contains("href=\"http"),
        "nothing is fetched from elsewhere"
    );
}
