//! Requests the operator API cannot read — JSON syntax, a missing or wrong content type, a
//! body too large, a path that is not text, a bad query, a method a path does not have, a
//! path no route has —
//! answer in the API's error shape, `{"error": {"message", "field"}}`, with a status the
//! document lists for that operation.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;

use crate::support::{ADMIN_TOKEN, Reply, TestApp};

const CAP: &str = "/api/v1/sites/s1/circuits/s1-main/cap";
const CAP_TEMPLATE: &str = "/api/v1/sites/{site_id}/circuits/{circuit_id}/cap";

/// Sends `body` to `path` with the admin token and `content_type` (if any).
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"));
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    app.send(request.body(body.into()).expect("request")).await
}

/// Asserts `reply` is a JSON error answer with `status`, documented for the operation.
async fn assert_error(app: &TestApp, reply: &Reply, status: StatusCode, operation: (&str, &str)) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/json",
        "{status}"
    );
    let body = reply.json();
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["error"].get("field").is_some(), "{body}");
    let document = app.get("/api/v1/openapi.json").await.json();
    let (method, path) = operation;
    let answer = &document["paths"][path][method]["responses"][status.as_str()];
    assert_eq!(
        answer["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
        "{method} {path} documents {status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_answers_400() {
    let app = TestApp::new().await;
    let reply = send(
        &app,
        Method::PUT,
        CAP,
        Some("application/json"),
        r#"{"cap_kw": "#,
    )
    .await;
    assert_error(&app, &reply, StatusCode::BAD_REQUEST, ("put", CAP_TEMPLATE)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_body_that_is_not_json_answers_400() {
    let app = TestApp::new().await;
    let path = "/api/v1/sites/s1/participants";
    let reply = send(
        &app,
        Method::POST,
        path,
        Some("application/json"),
        r#"{"phone": "+1"#,
    )
    .await;
    let template = "/api/v1/sites/{site_id}/participants";
    assert_error(&app, &reply, StatusCode::BAD_REQUEST, ("post", template)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_without_a_content_type_answers_415() {
    let app = TestApp::new().await;
    let reply = send(&app, Method::PUT, CAP, None, r#"{"cap_kw": 40}"#).await;
    assert_error(
        &app,
        &reply,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ("put", CAP_TEMPLATE),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_of_another_content_type_answers_415() {
    let app = TestApp::new().await;
    let reply = send(
        &app,
        Method::PUT,
        CAP,
        Some("text/plain"),
        r#"{"cap_kw": 40}"#,
    )
    .await;
    assert_error(
        &app,
        &reply,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ("put", CAP_TEMPLATE),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_larger_than_the_limit_answers_413() {
    let app = TestApp::new().await;
    let document = app.get("/api/v1/openapi.json").await.json();
    let described = document["paths"][CAP_TEMPLATE]["put"]["responses"]["413"]["description"]
        .as_str()
        .expect("413 documented")
        .to_owned();
    let limit: usize = described
        .split_whitespace()
        .find_map(|word| word.parse().ok())
        .expect("the 413 names the limit in bytes");
    // Valid JSON, only too long: spaces before the object.
    let body = format!("{}{{\"cap_kw\": 40}}", " ".repeat(limit));
    let reply = send(&app, Method::PUT, CAP, Some("application/json"), body).await;
    assert_error(
        &app,
        &reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        ("put", CAP_TEMPLATE),
    )
    .await;

    let within = format!("{}{{\"cap_kw\": 40}}", " ".repeat(limit - 100));
    let reply = send(&app, Method::PUT, CAP, Some("application/json"), within).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_is_not_text_answers_400() {
    let app = TestApp::new().await;
    let reply = send(&app, Method::GET, "/api/v1/sites/%FF", None, Body::empty()).await;
    assert_error(
        &app,
        &reply,
        StatusCode::BAD_REQUEST,
        ("get", "/api/v1/sites/{site_id}"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_query_answers_422_naming_the_parameter() {
    let app = TestApp::new().await;
    let template = ("get", "/api/v1/sites/{site_id}/plans");
    for (query, field) in [
        ("limit=abc", Value::from("limit")),
        ("from=", Value::from("from")),
        ("limit=1&limit=2", Value::from("limit")),
        ("colour=red", Value::from("colour")),
    ] {
        let path = format!("/api/v1/sites/s1/plans?{query}");
        let reply = send(&app, Method::GET, &path, None, Body::empty()).await;
        assert_error(&app, &reply, StatusCode::UNPROCESSABLE_ENTITY, template).await;
        assert_eq!(reply.json()["error"]["field"], field, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_a_path_does_not_have_answers_405_in_json_with_allow() {
    let app = TestApp::new().await;
    for (method, path, allowed) in [
        (Method::DELETE, "/api/v1/sites", "GET"),
        (Method::POST, "/api/v1/sites/s1", "GET,PUT"),
        (Method::PATCH, "/api/v1/openapi.json", "GET"),
    ] {
        let reply = send(&app, method.clone(), path, None, Body::empty()).await;
        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
        let mut allow: Vec<String> = reply.headers[header::ALLOW]
            .to_str()
            .expect("ascii")
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| m != "HEAD")
            .collect();
        allow.sort();
        assert_eq!(allow.join(","), allowed, "{method} {path}");
        let body = reply.json();
        assert!(body["error"]["message"].is_string(), "{body}");
        assert_eq!(body["error"]["field"], Value::Null);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_no_route_has_answers_404_in_json_under_the_api_only() {
    let app = TestApp::new().await;
    let reply = send(&app, Method::GET, "/api/v1/nowhere", None, Body::empty()).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
    assert!(
        reply.json()["error"]["message"].is_string(),
        "{}",
        reply.body
    );

    let page = app.get("/nowhere").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.is_empty(), "{}", page.body);
}
