//! `GET /api/v1/docs`: the operator API's reference as one server-rendered HTML page, made by
//! the server from the same OpenAPI document it serves at `/api/v1/openapi.json` — no
//! script, no style sheet or font from elsewhere, nothing fetched. Operations come grouped by
//! the document's tags, each with its method and path, what it does, who may call it, its
//! parameters, its request body and its answers; the schemas follow, each field with its
//! type, whether it is required, its meaning and the server's limits.

use std::sync::LazyLock;

use axum::response::Html;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use super::docs_schema::{limits_of, schema_section, text, type_of};
use super::error::ApiError;

/// This page's path; the dashboard's footer links to it.
pub(crate) const DOCS_PATH: &str = "/api/v1/docs";

/// The methods an operation can have, in the order the page lists them.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The page's style sheet: readable at phone width, tables scroll sideways.
const CSS: &str = "\
*,*::before,*::after{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1b1b;background:#fff}\
main{max-width:70rem;margin:0 auto;padding:1rem 1.25rem 3rem}\
h1{font-size:1.6rem;margin:.5rem 0 1rem}\
h2{font-size:1.35rem;margin:2.5rem 0 .5rem;padding-top:.5rem;border-top:2px solid #c9ced6}\
h3{font-size:1.1rem;margin:1.75rem 0 .5rem;overflow-wrap:anywhere}\
h4{font-size:1rem;margin:1rem 0 .25rem}\
a{color:#0b5cad}\
a:focus{outline:3px solid #1b1b1b;outline-offset:2px}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}\
.method{display:inline-block;min-width:4.2rem;padding:0 .4rem;margin-right:.4rem;border-radius:.2rem;background:#1b2a3a;color:#fff;font-size:.85rem;text-align:center}\
.table-wrap{overflow-x:auto}\
table{border-collapse:collapse;width:100%;margin:.25rem 0 .75rem}\
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #c9ced6;vertical-align:top}\
thead th{background:#e8ebf0}\
.limits,.muted{color:#4a4a4a}\
.contents ul{margin:.25rem 0 .75rem;padding-left:1.25rem}";

#[utoipa::path(
    get,
    path = "/api/v1/docs",
    operation_id = "get_api_docs",
    tag = "openapi",
    security(()),
    responses(
        (status = 200, description = "this API's reference as an HTML page, made from the OpenAPI document", content_type = "text/html; charset=utf-8", body = String),
    ),
)]
pub(crate) async fn serve() -> Result<Html<&'static str>, ApiError> {
    static PAGE: LazyLock<Result<String, String>> = LazyLock::new(|| {
        let document = serde_json::to_value(super::openapi::build())
            .map_err(|error| format!("the OpenAPI document does not serialize: {error}"))?;
        Ok(page(&document).into_string())
    });
    PAGE.as_deref()
        .map(Html)
        .map_err(|reason| ApiError::Internal(reason.clone()))
}

/// One operation of the document.
struct Operation<'a> {
    method: &'static str,
    path: &'a str,
    spec: &'a Value,
}

impl Operation<'_> {
    /// The fragment id of its section: the operation id, else method and path.
    fn anchor(&self) -> String {
        match self.spec.get("operationId").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => format!(
                "{}-{}",
                self.method,
                self.path.replace(['/', '{', '}'], "-")
            ),
        }
    }

    fn first_tag(&self) -> &str {
        self.spec
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    fn says(&self, key: &str) -> &str {
        self.spec.get(key).and_then(Value::as_str).unwrap_or("")
    }

    /// Whether it answers without a token (`security: [{}]`).
    fn is_public(&self) -> bool {
        self.spec
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|list| {
                list.iter()
                    .all(|s| s.as_object().is_some_and(serde_json::Map::is_empty))
            })
    }
}

/// Every operation, path by path in the document's order.
fn operations(document: &Value) -> Vec<Operation<'_>> {
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                item.get(*method)
                    .map(|spec| Operation { method, path, spec })
            })
        })
        .collect()
}

/// The document's tags with their descriptions, and the operations of each.
fn by_tag<'a>(
    document: &'a Value,
    operations: &'a [Operation<'a>],
) -> Vec<(&'a str, &'a str, Vec<&'a Operation<'a>>)> {
    let tags = document
        .get("tags")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut groups: Vec<(&str, &str, Vec<&Operation>)> = tags
        .iter()
        .filter_map(|tag| {
            let name = tag.get("name")?.as_str()?;
            let description = tag.get("description").and_then(Value::as_str);
            Some((name, description.unwrap_or(""), Vec::new()))
        })
        .collect();
    for operation in operations {
        let tag = operation.first_tag();
        match groups.iter_mut().find(|(name, _, _)| *name == tag) {
            Some(group) => group.2.push(operation),
            None => groups.push((tag, "", vec![operation])),
        }
    }
    groups.retain(|(_, _, list)| !list.is_empty());
    groups
}

/// The whole page.
fn page(document: &Value) -> Markup {
    let title = document
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("API");
    let description = document
        .pointer("/info/description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let operations = operations(document);
    let groups = by_tag(document, &operations);
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — reference" }
                style { (PreEscaped(CSS)) }
            }
            body {
                main {
                    h1 { (title) }
                    p { (text(description)) }
                    p {
                        "Tokens come from " code { "chargeplan token create --operator NAME" }
                        ". The same reference as an OpenAPI 3.1 document: "
                        a href="/api/v1/openapi.json" { "/api/v1/openapi.json" } "."
                    }
                    nav.contents aria-labelledby="contents-heading" {
                        h2 #contents-heading { "Operations" }
                        @for (tag, _, list) in &groups {
                            strong { (tag) }
                            ul {
                                @for operation in list {
                                    li { a href=(format!("#{}", operation.anchor())) { code { (operation.method.to_uppercase()) " " (operation.path) } } }
                                }
                            }
                        }
                        @if schemas.is_some() { p { a href="#schemas" { "Schemas" } } }
                    }
                    @for (tag, tag_description, list) in &groups {
                        section aria-label=(tag) {
                            h2 { (tag) }
                            @if !tag_description.is_empty() { p { (text(tag_description)) } }
                            @for operation in list { (operation_section(document, operation)) }
                        }
                    }
                    @if let Some(schemas) = schemas {
                        section aria-labelledby="schemas" {
                            h2 #schemas { "Schemas" }
                            @for (name, schema) in schemas { (schema_section(name, schema)) }
                        }
                    }
                }
            }
        }
    }
}

/// One operation: what it does, who may call it, parameters, body, answers.
fn operation_section(document: &Value, operation: &Operation<'_>) -> Markup {
    let parameters = operation
        .spec
        .get("parameters")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let body = operation.spec.get("requestBody");
    let answers = operation.spec.get("responses").and_then(Value::as_object);
    html! {
        article id=(operation.anchor()) {
            h3 { span.method { (operation.method.to_uppercase()) } " " code { (operation.path) } }
            @if !operation.says("summary").is_empty() { p { (text(operation.says("summary"))) } }
            @if !operation.says("description").is_empty() { p { (text(operation.says("description"))) } }
            p.muted {
                @if operation.is_public() { "No token needed." }
                @else { "Needs " code { "Authorization: Bearer <token>" } "." }
            }
            @if !parameters.is_empty() {
                h4 { "Parameters" }
                div.table-wrap {
                    table {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "In" } th scope="col" { "Required" } th scope="col" { "Type" } th scope="col" { "Meaning" } } }
                        tbody { @for parameter in parameters { (parameter_row(parameter)) } }
                    }
                }
            }
            @if let Some(body) = body {
                h4 { "Request body" }
                (content(body, body.get("required").and_then(Value::as_bool).unwrap_or(false).then_some("required")))
            }
            @if let Some(answers) = answers {
                h4 { "Answers" }
                div.table-wrap {
                    table {
                        thead { tr { th scope="col" { "Status" } th scope="col" { "Meaning" } th scope="col" { "Body" } } }
                        tbody {
                            @for (status, answer) in answers {
                                @let answer = resolved(document, answer);
                                tr {
                                    th scope="row" { (status) }
                                    td { (text(answer.get("description").and_then(Value::as_str).unwrap_or(""))) }
                                    td { (content(answer, None)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A parameter's row.
fn parameter_row(parameter: &Value) -> Markup {
    let says = |key: &str| parameter.get(key).and_then(Value::as_str).unwrap_or("");
    let required = parameter
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let schema = parameter.get("schema").unwrap_or(&Value::Null);
    let limits = limits_of(schema);
    html! {
        tr {
            th scope="row" { code { (says("name")) } }
            td { (says("in")) }
            td { @if required { "yes" } @else { "no" } }
            td { (type_of(schema)) }
            td {
                (text(says("description")))
                @if !limits.is_empty() { " " span.limits { "(" (limits) ")" } }
            }
        }
    }
}

/// A body's content types and schemas ("`application/json`: Site"), or "—" without one.
fn content(holder: &Value, note: Option<&str>) -> Markup {
    let types = holder.get("content").and_then(Value::as_object);
    html! {
        @match types {
            Some(types) if !types.is_empty() => {
                @for (content_type, media) in types {
                    div {
                        code { (content_type) } ": "
                        (type_of(media.get("schema").unwrap_or(&Value::Null)))
                        @if let Some(note) = note { " (" (note) ")" }
                    }
                }
            }
            _ => { span.muted { "—" } }
        }
    }
}

/// An answer, or the shared answer its `$ref` names.
fn resolved<'a>(document: &'a Value, answer: &'a Value) -> &'a Value {
    answer
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|target| document.pointer(target.trim_start_matches('#')))
        .unwrap_or(answer)
}
