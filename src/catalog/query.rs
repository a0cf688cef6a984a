//! Turning a service method's filter options into query pairs, as the reference does:
//! booleans as `true`/`false`, lists repeated or comma-joined, nulls dropped, enum values
//! and integer bounds checked before sending.

use super::op::{QuerySpec, QueryType};
use super::schema::enum_allows;
use crate::policy::text::{num, quoted};

/// A filter value as the caller gave it (already read from JS).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Absent, `null` or `undefined`.
    Missing,
    /// A string.
    Text(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A valid `Date`, as ISO 8601.
    Date(String),
    /// An array.
    List(Vec<Value>),
    /// Anything else, described for the message (`an object`, `a function`).
    Other(String),
}

fn describe(v: &Value) -> String {
    match v {
        Value::Missing => "nothing".into(),
        Value::Text(_) => "a string".into(),
        Value::Number(n) => format!("the number {}", num(*n)),
        Value::Bool(b) => format!("{b}"),
        Value::Date(_) => "a Date".into(),
        Value::List(_) => "an array".into(),
        Value::Other(what) => what.clone(),
    }
}

fn text(spec: &QuerySpec, v: &Value) -> Result<String, String> {
    let s = match v {
        Value::Text(s) => s.clone(),
        other => return Err(format!("must be a string, got {}", describe(other))),
    };
    if let Some(e) = spec.enumeration {
        enum_allows(e, &s)?;
    }
    Ok(s)
}

/// The pairs to send for `spec` given `value`; `Err` says what is wrong (without the name).
pub fn encode(spec: &QuerySpec, value: &Value) -> Result<Vec<(String, String)>, String> {
    let pair = |v: String| vec![(spec.wire.to_owned(), v)];
    let value = match value {
        Value::Missing if spec.required => return Err("is required".into()),
        Value::Missing if spec.always => match spec.default {
            Some(d) => match spec.ty {
                QueryType::Integer => Value::Number(d.parse::<i64>().unwrap_or(0) as f64),
                QueryType::Boolean => Value::Bool(d == "true"),
                _ => Value::Text(d.trim_matches('"').to_owned()),
            },
            None => return Ok(Vec::new()),
        },
        Value::Missing => return Ok(Vec::new()),
        v => v.clone(),
    };
    match spec.ty {
        QueryType::Text => Ok(pair(text(spec, &value)?)),
        QueryType::Boolean => match value {
            Value::Bool(false) if spec.only_if_true => Ok(Vec::new()),
            Value::Bool(b) => Ok(pair(if b { "true" } else { "false" }.into())),
            other => Err(format!("must be a boolean, got {}", describe(&other))),
        },
        QueryType::Integer => match value {
            Value::Number(n) if n.is_finite() && n.fract() == 0.0 => {
                let low = spec.min.is_some_and(|m| n < m as f64);
                let high = spec.max.is_some_and(|m| n > m as f64);
                if low || high {
                    return Err(format!(
                        "must be an integer from {} to {}, got {}",
                        spec.min.map_or("-".into(), |m| m.to_string()),
                        spec.max.map_or("-".into(), |m| m.to_string()),
                        num(n)
                    ));
                }
                Ok(pair(num(n)))
            }
            other => Err(format!("must be an integer, got {}", describe(&other))),
        },
        QueryType::DateTime => match value {
            Value::Date(s) | Value::Text(s) => Ok(pair(s)),
            other => Err(format!(
                "must be a Date or an ISO 8601 string, got {}",
                describe(&other)
            )),
        },
        QueryType::List => {
            let items = match value {
                Value::List(items) => items,
                single @ Value::Text(_) => vec![single],
                other => {
                    return Err(format!(
                        "must be an array of strings, got {}",
                        describe(&other)
                    ))
                }
            };
            let mut texts = Vec::with_capacity(items.len());
            for item in items.iter().filter(|i| **i != Value::Missing) {
                texts.push(text(spec, item).map_err(|m| format!("item {m}"))?);
            }
            if texts.is_empty() {
                Ok(Vec::new())
            } else if spec.comma {
                Ok(pair(texts.join(",")))
            } else {
                Ok(texts
                    .into_iter()
                    .map(|t| (spec.wire.to_owned(), t))
                    .collect())
            }
        }
    }
}

/// A message for an unknown option key.
pub fn unknown_key(key: &str, known: &[&str]) -> String {
    format!(
        "has the unknown key {} (known: {})",
        quoted(key),
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::super::op::op;
    use super::super::table::OP_COUNT;
    use super::*;

    fn spec(op_name: &str, name: &str) -> QuerySpec {
        (0..OP_COUNT)
            .filter_map(op)
            .find(|o| o.name == op_name)
            .and_then(|o| o.query.into_iter().find(|q| q.wire == name))
            .unwrap()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
    }

    #[test]
    fn include_is_repeated_on_get_and_comma_joined_on_audit_logs() {
        let inc = || {
            Value::List(vec![
                Value::Text("notes".into()),
                Value::Text("assets".into()),
            ])
        };
        assert_eq!(
            encode(&spec("users.get", "include"), &inc()).unwrap(),
            pairs(&[("include", "notes"), ("include", "assets")])
        );
        let audit = spec("companies.getAuditLogPage", "include");
        let e = encode(&audit, &inc()).unwrap_err();
        assert!(e.starts_with("item must be one of request_details"), "{e}");
        let ok = Value::List(vec![Value::Text("request_details".into())]);
        assert_eq!(
            encode(&audit, &ok).unwrap(),
            pairs(&[("include", "request_details")])
        );
    }

    #[test]
    fn defaults_bounds_booleans_and_enums() {
        let limit = spec("globalAdmin.tailLogs", "limit");
        assert_eq!(
            encode(&limit, &Value::Missing).unwrap(),
            pairs(&[("limit", "100")])
        );
        assert!(encode(&limit, &Value::Number(501.0))
            .unwrap_err()
            .contains("1 to 500"));
        assert!(encode(&limit, &Value::Number(1.5)).is_err());
        let temp = spec("characters.getPage", "is_temporary");
        assert_eq!(
            encode(&temp, &Value::Missing).unwrap(),
            pairs(&[("is_temporary", "false")])
        );
        let role = spec("users.getPage", "user_role");
        assert!(encode(&role, &Value::Text("KING".into()))
            .unwrap_err()
            .contains("ADMIN"));
        assert_eq!(encode(&role, &Value::Missing).unwrap(), vec![]);
        let e = encode(&role, &Value::Number(1.0)).unwrap_err();
        assert_eq!(e, "must be a string, got the number 1");
    }

    #[test]
    fn required_query_parameters_are_required() {
        let campaign = spec("characterAutogen.generateCharacter", "campaign_id");
        assert_eq!(
            encode(&campaign, &Value::Missing).unwrap_err(),
            "is required"
        );
    }
}
