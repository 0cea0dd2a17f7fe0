//! Writing the [`Limit`]s of [`body_limits`] and [`query_limits`] onto the generated
//! document's schemas and parameters, as utoipa wrote them (plain, nullable, arrays, `oneOf`).

use serde_json::Value;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, KnownFormat, Object, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use super::{Limit, body_limits, id, query_limits};

/// Writes [`body_limits`], [`query_limits`] and the id pattern of every path parameter into
/// the document.
pub(crate) struct ServerLimits;

impl Modify for ServerLimits {
    fn modify(&self, openapi: &mut OpenApi) {
        let schemas = &mut openapi
            .components
            .get_or_insert_with(Default::default)
            .schemas;
        for (schema, field, limit) in body_limits() {
            let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(schema) else {
                panic!("the document has no object schema {schema}");
            };
            let Some(RefOr::T(property)) = object.properties.get_mut(field) else {
                panic!("schema {schema} has no inline field {field}");
            };
            apply(property, &limit);
        }
        let queries = query_limits();
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                let operation_id = operation.operation_id.clone().unwrap_or_default();
                for parameter in operation.parameters.iter_mut().flatten() {
                    let limit = match parameter.parameter_in {
                        // Every path parameter is an identifier.
                        ParameterIn::Path => Some(id()),
                        _ => queries
                            .iter()
                            .find(|(op, name, _)| *op == operation_id && *name == parameter.name)
                            .map(|(_, _, limit)| limit.clone()),
                    };
                    if let (Some(limit), Some(RefOr::T(schema))) = (limit, &mut parameter.schema) {
                        apply(schema, &limit);
                    }
                }
            }
        }
    }
}

/// The operations of a path item.
fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Sets `limit` on a generated schema: a plain or nullable object, an array, or a `oneOf`
/// of the type and `null` (as utoipa writes `Option<T>`).
fn apply(schema: &mut Schema, limit: &Limit) {
    match schema {
        Schema::Object(object) => apply_to_object(object, limit),
        Schema::Array(array) => {
            if let Limit::List { min, max, each } = limit {
                array.min_items = Some(*min);
                array.max_items = *max;
                if let (Some(each), ArrayItems::RefOrSchema(items)) = (each, &mut array.items)
                    && let RefOr::T(item) = items.as_mut()
                {
                    apply(item, each);
                }
            }
        }
        Schema::OneOf(one_of) => {
            for item in &mut one_of.items {
                if let RefOr::T(inner) = item {
                    apply(inner, limit);
                }
            }
        }
        _ => {}
    }
}

fn apply_to_object(object: &mut Object, limit: &Limit) {
    let nullable =
        matches!(&object.schema_type, SchemaType::Array(types) if types.contains(&Type::Null));
    if object.schema_type == SchemaType::new(Type::Null) {
        return;
    }
    let with_null = |mut values: Vec<Value>| {
        if nullable {
            values.push(Value::Null);
        }
        Some(values)
    };
    match limit {
        Limit::Number {
            min,
            above_min,
            max,
        } => {
            if *above_min {
                object.exclusive_minimum = Some((*min).into());
            } else {
                object.minimum = Some((*min).into());
            }
            object.maximum = Some((*max).into());
        }
        Limit::Integer { min, max } => {
            set_integer(object, nullable);
            object.minimum = Some(f64::from(*min).into());
            object.maximum = Some(f64::from(*max).into());
        }
        Limit::IntegerOf(values) => {
            set_integer(object, nullable);
            object.minimum = None;
            object.enum_values = with_null(values.iter().map(|v| Value::from(*v)).collect());
        }
        Limit::Text { min, max, pattern } => {
            object.min_length = Some(*min);
            object.max_length = Some(*max);
            object.pattern.clone_from(pattern);
        }
        Limit::Matching(pattern) => {
            object.pattern = Some((*pattern).to_owned());
        }
        Limit::Word(words) => {
            object.enum_values = with_null(words.iter().map(|w| Value::from(*w)).collect());
        }
        Limit::Time => {
            object.format = Some(SchemaFormat::KnownFormat(KnownFormat::DateTime));
        }
        Limit::Date => {
            object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Date));
        }
        Limit::List { .. } => {}
    }
}

/// A query parameter read as text but holding a whole number is documented as an integer.
fn set_integer(object: &mut Object, nullable: bool) {
    object.schema_type = if nullable {
        SchemaType::from_iter([Type::Integer, Type::Null])
    } else {
        SchemaType::new(Type::Integer)
    };
    object.format = None;
}
