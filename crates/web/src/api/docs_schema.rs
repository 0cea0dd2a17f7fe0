//! The API reference's words for JSON schemas: a schema in a few words ("string
//! (date-time)", "array of Circuit", "one of `day`, `week`"), its limits ("≥ 1", "at most 200
//! characters") and a table of an object's fields, with every `$ref` a link to the schema's
//! own section of the page. Descriptions keep their `code` spans as `<code>`.

use maud::{Markup, html};
use serde_json::{Map, Value};

/// The fragment id of a component schema's section.
pub(crate) fn schema_anchor(name: &str) -> String {
    format!("schema-{name}")
}

/// `text` with its Markdown `code` spans as `<code>`, everything else as plain text.
pub(crate) fn text(text: &str) -> Markup {
    html! {
        @for (n, part) in text.split('`').enumerate() {
            @if n % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// The variants of a `oneOf`/`anyOf` that are not `null`, and whether one was `null`.
fn variants(schema: &Value) -> Option<(Vec<&Value>, bool)> {
    let list = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let is_null = |v: &&Value| v.get("type").and_then(Value::as_str) == Some("null");
    let nullable = list.iter().any(|v| is_null(&v));
    Some((list.iter().filter(|v| !is_null(v)).collect(), nullable))
}

/// The schema a wrapper stands for: the only member of an `allOf`, or the only non-null
/// variant of a `oneOf`/`anyOf`.
fn unwrapped(schema: &Value) -> &Value {
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return unwrapped(only);
    }
    match variants(schema) {
        Some((list, _)) if list.len() == 1 => unwrapped(list[0]),
        _ => schema,
    }
}

/// A schema in a few words, `$ref`s as links.
pub(crate) fn type_of(schema: &Value) -> Markup {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = target.rsplit('/').next().unwrap_or(target);
        return html! { a href=(format!("#{}", schema_anchor(name))) { (name) } };
    }
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return type_of(only);
    }
    if let Some((list, nullable)) = variants(schema) {
        return html! {
            @if list.len() > 1 { "one of: " }
            @for (n, variant) in list.iter().enumerate() {
                @if n > 0 { ", " }
                (type_of(variant))
            }
            @if nullable { " or null" }
        };
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return html! {
            "one of "
            @for (n, value) in values.iter().enumerate() {
                @if n > 0 { ", " }
                code { (literal(value)) }
            }
        };
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let format = schema.get("format").and_then(Value::as_str);
    html! {
        @if types.is_empty() { "any JSON value" }
        @for (n, kind) in types.iter().enumerate() {
            @if n > 0 { " or " }
            @match *kind {
                "array" => {
                    "array of "
                    @match schema.get("items") { Some(items) => { (type_of(items)) } None => { "anything" } }
                }
                "object" => {
                    "object"
                    @if let Some(fields) = schema.get("properties").and_then(Value::as_object) {
                        " with "
                        @for (i, name) in fields.keys().enumerate() {
                            @if i > 0 { ", " }
                            code { (name) }
                        }
                    }
                }
                other => { (other) }
            }
        }
        @if let Some(format) = format { " (" (format) ")" }
    }
}

/// A JSON value as the page shows it: strings without quotes, others as JSON.
fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The keywords that limit a value, in the order the page says them.
const LIMITS: [&str; 11] = [
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "default",
];

/// One limit in words, e.g. `("maxLength", "200")` is "at most 200 characters".
fn limit_words(keyword: &str, value: &str) -> String {
    match keyword {
        "minimum" => format!("≥ {value}"),
        "exclusiveMinimum" => format!("> {value}"),
        "maximum" => format!("≤ {value}"),
        "exclusiveMaximum" => format!("< {value}"),
        "multipleOf" => format!("a multiple of {value}"),
        "minLength" => format!("at least {value} characters"),
        "maxLength" => format!("at most {value} characters"),
        "minItems" => format!("at least {value} items"),
        "maxItems" => format!("at most {value} items"),
        "pattern" => format!("matches {value}"),
        _ => format!("{keyword} {value}"),
    }
}

/// The schema's limits and default in words, e.g. "≥ 1; ≤ 1000; default 50".
pub(crate) fn limits_of(schema: &Value) -> String {
    let schema = unwrapped(schema);
    LIMITS
        .iter()
        .filter_map(|keyword| {
            let value = schema.get(*keyword)?;
            Some(limit_words(keyword, &literal(value)))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The table of an object's fields: name, type, whether required, description and limits.
fn fields_table(properties: &Map<String, Value>, required: &[&str]) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead { tr { th scope="col" { "Field" } th scope="col" { "Type" } th scope="col" { "Required" } th scope="col" { "Meaning" } } }
                tbody {
                    @for (name, field) in properties {
                        @let description = field
                            .get("description")
                            .or_else(|| unwrapped(field).get("description"))
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        @let limits = limits_of(field);
                        tr {
                            th scope="row" { code { (name) } }
                            td { (type_of(field)) }
                            td { @if required.contains(&name.as_str()) { "yes" } @else { "no" } }
                            td {
                                (text(description))
                                @if !limits.is_empty() { " " span.limits { "(" (limits) ")" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A component schema's section: its name (the links' target), description and fields, or
/// its type and limits when it is not an object with fields.
pub(crate) fn schema_section(name: &str, schema: &Value) -> Markup {
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let limits = limits_of(schema);
    html! {
        section.schema id=(schema_anchor(name)) {
            h3 { (name) }
            @if !description.is_empty() { p { (text(description)) } }
            @match schema.get("properties").and_then(Value::as_object) {
                Some(properties) => { (fields_table(properties, &required)) }
                None => {
                    p {
                        (type_of(schema))
                        @if !limits.is_empty() { " (" (limits) ")" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_schema_reads_as_its_type_with_links_to_named_schemas() {
        let said = |schema: Value| type_of(&schema).into_string();

        assert_eq!(
            said(json!({"type": "string", "format": "date-time"})),
            "string (date-time)"
        );
        assert_eq!(
            said(json!({"type": "array", "items": {"$ref": "#/components/schemas/Circuit"}})),
            "array of <a href=\"#schema-Circuit\">Circuit</a>"
        );
        assert_eq!(
            said(json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Cap"}]})),
            "<a href=\"#schema-Cap\">Cap</a> or null"
        );
        assert_eq!(
            said(json!({"type": "string", "enum": ["day", "week"]})),
            "one of <code>day</code>, <code>week</code>"
        );
        assert_eq!(said(json!({})), "any JSON value");
    }

    #[test]
    fn limits_are_said_in_words_also_inside_a_nullable_wrapper() {
        assert_eq!(
            limits_of(&json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 50})),
            "≥ 1; ≤ 1000; default 50"
        );
        assert_eq!(
            limits_of(&json!({"oneOf": [{"type": "null"}, {"type": "string", "maxLength": 200}]})),
            "at most 200 characters"
        );
    }

    #[test]
    fn an_objects_section_lists_each_field_with_whether_it_is_required() {
        let schema = json!({
            "type": "object",
            "description": "A cap in `kW`.",
            "required": ["cap_kw"],
            "properties": {
                "cap_kw": {"type": "number", "exclusiveMinimum": 0, "description": "the cap"},
                "reason": {"type": ["string", "null"]},
            },
        });

        let html = schema_section("Cap", &schema).into_string();

        assert!(html.contains("id=\"schema-Cap\""), "{html}");
        assert!(html.contains("A cap in <code>kW</code>."), "{html}");
        assert!(
            html.contains("<code>cap_kw</code></th><td>number</td><td>yes</td><td>the cap <span class=\"limits\">(&gt; 0)</span>"),
            "{html}"
        );
        assert!(
            html.contains("<code>reason</code></th><td>string or null</td><td>no</td>"),
            "{html}"
        );
    }
}
