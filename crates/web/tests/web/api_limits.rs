//! Every limit the served OpenAPI document states for a request field or a query parameter
//! holds at the server: a value just outside it is a 422 naming the field, a value just
//! inside it is not refused for that field. The limits are read from the document; the
//! valid requests below only give each value a place to sit.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::operators::add_operators;
use crate::support::{ADMIN_TOKEN, TestApp, t0, vendor};

/// Fields whose value names another record (a circuit, a vendor account): only the values
/// outside their limits are tried, as any other would name a record that does not exist.
const REFERENCES: [&str; 3] = [
    "circuits[0].parent_id",
    "circuit_id",
    "vendor.vendor_account",
];

/// A value that breaks each pattern of the document.
fn breaking(pattern: &str) -> &'static str {
    match pattern {
        r"\S" => "   ",
        r"^[A-Za-z0-9\-_.:]+$" => "a b",
        "^[A-Za-z]{3}$" => "US1",
        r"^\s*([01]?[0-9]|2[0-3]):[0-5]?[0-9]\s*$" => "24:00",
        "^[!-~]+$" => "A B",
        "[A-Za-z0-9]" => "--",
        p if p.contains(r"\+") => "+1 415",
        other => panic!("no value breaking the pattern {other}: add one"),
    }
}

/// The request that carries each body of the document, by (method, path template).
fn base_request(app_now: &str, method: &str, template: &str) -> (String, Value) {
    let window = json!({"days": ["mon"], "start": "17:00", "end": "21:00"});
    let mut cap_window = window.clone();
    cap_window["cap_kw"] = json!(50);
    let mut price_window = window;
    price_window["price_per_kwh"] = json!(0.5);
    let participant = json!({"phone": "+14155550101", "token_uids": ["T1"], "wh_per_mile": 300,
                              "plate": "7ABC123"});
    let (path, body) = match (method, template) {
        ("put", "/api/v1/sites/{site_id}") => (
            "/api/v1/sites/s9",
            json!({"name": "Lot", "time_zone": "UTC", "slot_minutes": 5}),
        ),
        ("put", "/api/v1/sites/{site_id}/circuits") => (
            "/api/v1/sites/s3/circuits",
            json!({"circuits": [{"id": "s3-main", "name": "Main", "cap_kw": 150}]}),
        ),
        ("put", "/api/v1/sites/{site_id}/circuits/{circuit_id}/cap") => (
            "/api/v1/sites/s1/circuits/s1-main/cap",
            json!({"cap_kw": 40}),
        ),
        ("put", "/api/v1/sites/{site_id}/circuits/{circuit_id}/schedule") => (
            "/api/v1/sites/s1/circuits/s1-main/schedule",
            json!({"windows": [cap_window]}),
        ),
        ("post", "/api/v1/sites/{site_id}/overrides") => (
            "/api/v1/sites/s1/overrides",
            json!({"circuit_id": "s1-main", "cap_kw": 30, "starts_at": app_now,
                   "duration_minutes": 60, "reason": "test"}),
        ),
        ("put", "/api/v1/sites/{site_id}/tariff") => (
            "/api/v1/sites/s1/tariff",
            json!({"currency": "USD", "default_price_per_kwh": 0.25, "windows": [price_window],
                   "demand_charge_per_kw": 10, "billing_period_start_day": 1}),
        ),
        ("put", "/api/v1/sites/{site_id}/ports/{port_id}") => (
            "/api/v1/sites/s1/ports/s1-p9",
            json!({"circuit_id": "s1-main", "max_power_kw": 7.2, "phases": 1, "voltage_v": 240,
                   "vendor": {"vendor_account": vendor().as_str(), "location_id": "L1",
                              "evse_uid": "E9", "connector_id": "1"}}),
        ),
        ("patch", "/api/v1/sites/{site_id}/ports/{port_id}") => (
            "/api/v1/sites/s1/ports/s1-p1",
            json!({"controllable": true}),
        ),
        ("put", "/api/v1/sites/{site_id}/sharing") => ("/api/v1/sites/s1/sharing", Value::Null),
        ("post", "/api/v1/sites/{site_id}/participants") => {
            ("/api/v1/sites/s1/participants", participant)
        }
        ("put", "/api/v1/sites/{site_id}/participants/{participant_id}") => {
            ("/api/v1/sites/s1/participants/PARTICIPANT", participant)
        }
        other => panic!("no base request for {other:?}: add one"),
    };
    (path.to_owned(), body)
}

/// A value of `schema` (inline, with `$ref`s resolved by the caller) just inside or just
/// outside each of its limits: (value, inside).
fn edges(schema: &Value) -> Vec<(Value, bool)> {
    let mut out = Vec::new();
    let integer = schema["type"] == "integer" || schema["type"][0] == "integer";
    let step = if integer { 1.0 } else { 0.001 };
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        out.extend([values[0], values[values.len() - 1]].map(|v| (v.clone(), true)));
        match values[0] {
            Value::String(word) => out.push((json!(format!("{word}x")), false)),
            _ => {
                let numbers: Vec<i64> = values.iter().filter_map(|v| v.as_i64()).collect();
                let gap = (numbers[0]..)
                    .find(|n| !numbers.contains(n))
                    .expect("a gap");
                out.push((json!(gap), false));
            }
        }
        return out;
    }
    if let Some(max) = schema["maximum"].as_f64() {
        out.push((number(max, integer), true));
        out.push((number(max + step, integer), false));
    }
    if let Some(min) = schema["minimum"].as_f64() {
        out.push((number(min, integer), true));
        out.push((number(min - step, integer), false));
    }
    if let Some(above) = schema["exclusiveMinimum"].as_f64() {
        out.push((number(above + step, integer), true));
        out.push((number(above, integer), false));
    }
    let fixed = schema["minLength"] == schema["maxLength"];
    if let Some(max) = schema["maxLength"].as_u64().filter(|_| !fixed) {
        let max = usize::try_from(max).expect("small");
        out.push((json!("a".repeat(max)), true));
        out.push((json!("a".repeat(max + 1)), false));
    }
    if let Some(min) = schema["minLength"].as_u64().filter(|m| *m > 0 && !fixed) {
        let min = usize::try_from(min).expect("small");
        out.push((json!("a".repeat(min - 1)), false));
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        out.push((json!(breaking(pattern)), false));
    }
    match schema["format"].as_str() {
        Some("date-time") => out.extend([(json!(""), false), (json!("yesterday"), false)]),
        Some("date") => out.extend([(json!("15/06/2026"), false), (json!("2026-13-01"), false)]),
        _ => {}
    }
    out
}

fn number(value: f64, integer: bool) -> Value {
    if integer {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "limits are small whole numbers"
        )]
        let whole = value.round() as i64;
        json!(whole)
    } else {
        json!(value)
    }
}

/// `schema` with a `$ref` resolved against the document.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(target) => {
            let name = target.trim_start_matches("#/components/schemas/");
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// (field path, the value's place in the body, edge value, inside) for every limited field
/// of `schema`, nested objects and the first item of lists included.
fn body_edges(document: &Value, schema: &Value, at: &str) -> Vec<(String, Value, bool)> {
    let mut out = Vec::new();
    let schema = resolve(document, schema);
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let field = if at.is_empty() {
            name.clone()
        } else {
            format!("{at}.{name}")
        };
        let property = resolve(document, property);
        if property["type"] == "object" {
            out.extend(body_edges(document, property, &field));
            continue;
        }
        if property["type"] == "array" || property["type"][0] == "array" {
            let items = resolve(document, &property["items"]);
            if items["type"] == "object" {
                out.extend(body_edges(document, items, &format!("{field}[0]")));
            } else {
                for (value, inside) in edges(items) {
                    out.push((format!("{field}[0]"), value, inside));
                }
            }
            if let Some(max) = property["maxItems"].as_u64() {
                let list = |n: u64| -> Value {
                    (0..n)
                        .map(|i| match items["type"].as_str() {
                            Some("string") if items.get("enum").is_none() => json!(format!("T{i}")),
                            _ => Value::Null,
                        })
                        .collect()
                };
                out.push((field.clone(), list(max + 1), false));
            }
            if let Some(min) = property["minItems"].as_u64().filter(|m| *m > 0) {
                let fewer = usize::try_from(min - 1).expect("small");
                out.push((field.clone(), Value::Array(vec![Value::Null; fewer]), false));
            }
            continue;
        }
        for (value, inside) in edges(property) {
            out.push((field.clone(), value, inside));
        }
    }
    out
}

/// `body` with `value` at `field` (`windows[0].days`, `vendor.evse_uid`); nulls in a list
/// value stand for copies of the list's first item in `body`.
fn put_at(body: &Value, field: &str, value: Value) -> Value {
    let mut body = body.clone();
    let mut slot = &mut body;
    for part in field.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        slot = slot
            .as_object_mut()
            .expect("an object")
            .entry(name)
            .or_insert(Value::Null);
        if let Some(index) = index {
            slot = &mut slot[index];
        }
    }
    let value = match (value, slot.as_array()) {
        (Value::Array(items), Some(existing)) if items.iter().all(Value::is_null) => {
            let first = existing.first().cloned().unwrap_or(Value::Null);
            Value::Array(items.iter().map(|_| first.clone()).collect())
        }
        (value, _) => value,
    };
    *slot = value;
    body
}

/// Whether `reply` refused the value for `field` (or, for an item, for its list).
fn refused_for(reply: &crate::support::Reply, field: &str) -> bool {
    if reply.status != StatusCode::UNPROCESSABLE_ENTITY {
        return false;
    }
    let named = reply.json()["error"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    named == field || field.starts_with(&format!("{named}["))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_documented_body_limit_refuses_just_outside_and_accepts_just_inside() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let token = Some(ADMIN_TOKEN);
    let site = json!({"name": "No circuits yet", "time_zone": "UTC"});
    let created = app
        .api(Method::PUT, "/api/v1/sites/s3", token, Some(site))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let participant = app.add_participant("s1", "+14155550101", &["T1"]).await;
    let sharing = app
        .api(Method::GET, "/api/v1/sites/s1/sharing", token, None)
        .await
        .json();
    let document = app.get("/api/v1/openapi.json").await.json();
    let now = t0().to_rfc3339();

    let mut tried = 0;
    for (template, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let Some(schema) =
                operation["requestBody"]["content"]["application/json"].get("schema")
            else {
                continue;
            };
            let (path, base) = base_request(&now, method, template);
            let path = path.replace("PARTICIPANT", participant.id.as_str());
            let base = if base.is_null() {
                sharing.clone()
            } else {
                base
            };
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            for (field, value, inside) in body_edges(&document, schema, "") {
                if inside && REFERENCES.iter().any(|r| field.ends_with(r)) {
                    continue;
                }
                let mut body = put_at(&base, &field, value.clone());
                if field == "expires_at" {
                    body.as_object_mut().map(|b| b.remove("duration_minutes"));
                }
                let reply = app.api(method.clone(), &path, token, Some(body)).await;
                let refused = refused_for(&reply, &field);
                assert_eq!(
                    refused, !inside,
                    "{method} {path} {field} = {value}: {} {}",
                    reply.status, reply.body
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 100, "only {tried} values tried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_documented_query_limit_refuses_just_outside_and_accepts_just_inside() {
    let app = TestApp::new().await;
    let document = app.get("/api/v1/openapi.json").await.json();
    let hour_ago = (t0() - chrono::Duration::hours(1)).to_rfc3339();
    let mut tried = 0;
    for (template, item) in document["paths"].as_object().expect("paths") {
        let path = template.replace("{site_id}", "s1");
        for operation in item.as_object().expect("operations").values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] != "query" {
                    continue;
                }
                let name = parameter["name"].as_str().expect("name");
                let mut values = edges(&parameter["schema"]);
                // Given empty, a parameter is refused (left out, it takes its default).
                values.push((json!(""), false));
                if parameter["schema"]["format"] == "date-time" {
                    values.push((json!(hour_ago), true));
                }
                if parameter["schema"]["format"] == "date" {
                    values.push((json!("2026-06-15"), true));
                }
                for (value, inside) in values {
                    let text = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned);
                    let query = serde_urlencoded::to_string([(name, &text)]).expect("query");
                    let reply = app
                        .api(
                            Method::GET,
                            &format!("{path}?{query}"),
                            Some(ADMIN_TOKEN),
                            None,
                        )
                        .await;
                    assert_eq!(
                        refused_for(&reply, name),
                        !inside,
                        "GET {path}?{query}: {} {}",
                        reply.status,
                        reply.body
                    );
                    if inside {
                        assert!(
                            reply.status.is_success(),
                            "GET {path}?{query}: {}",
                            reply.body
                        );
                    }
                    tried += 1;
                }
            }
        }
    }
    assert!(tried > 30, "only {tried} values tried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_number_written_with_a_fraction_is_an_integer_as_the_document_says() {
    let app = TestApp::new().await;
    let body = json!({"name": "Lot", "time_zone": "UTC", "slot_minutes": 15.0});
    let reply = app
        .api(
            Method::PUT,
            "/api/v1/sites/s9",
            Some(ADMIN_TOKEN),
            Some(body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.json()["slot_minutes"], 15);
    let fraction = json!({"name": "Lot", "time_zone": "UTC", "slot_minutes": 15.5});
    let reply = app
        .api(
            Method::PUT,
            "/api/v1/sites/s9",
            Some(ADMIN_TOKEN),
            Some(fraction),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["error"]["field"], "slot_minutes");
}
