//! Checking a JSON value against the generated schemas: request bodies before sending,
//! response bodies before handing them to the caller.
//!
//! The type grammar of `table::SCHEMAS` (one object per line, `field[!]:type`, `!` = required):
//! `s` string, `i` integer, `n` number, `b` boolean, `o` any object, `*` anything,
//! `@N` object schema N, `eN` enum N, `[T` array of T, `mT` object of T, `?T` T or null.

use super::table::{ENUMS, SCHEMAS};
use crate::policy::text::{num, quoted};

/// The JSON type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null` (or `undefined`).
    Null,
    /// A boolean.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
    /// Anything else (a function, a symbol, a bigint).
    Other,
}

/// Read access to a JSON-like value: a JS value in wasm, `serde_json` in native tests.
pub trait Tree: Sized {
    /// Its type.
    fn kind(&self) -> Kind;
    /// Member `key` of an object; `None` when absent (or `undefined`).
    fn get(&self, key: &str) -> Option<Self>;
    /// The keys of an object.
    fn keys(&self) -> Vec<String>;
    /// The elements of an array.
    fn items(&self) -> Vec<Self>;
    /// A string's text.
    fn text(&self) -> Option<String>;
    /// A number's value.
    fn number(&self) -> Option<f64>;
}

/// Which side of the wire is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A request body from the caller: unknown fields are refused (they are typos the
    /// server would reject or drop), and `null` means "not set" unless it clears a value.
    Request,
    /// A response: unknown fields are tolerated (the API may add some).
    Response,
}

/// What is wrong, and where (`items[3].name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The field path from the checked value; empty for the value itself.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// Line `i` of a table, through an index built once (a 1,000-item page checks 1,000
/// objects; scanning the text for each was most of the cost).
fn line(
    table: &'static str,
    index: &'static std::sync::OnceLock<Vec<&'static str>>,
    i: usize,
) -> Option<&'static str> {
    index
        .get_or_init(|| table.lines().collect())
        .get(i)
        .copied()
}

static SCHEMA_LINES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
static ENUM_LINES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// Deeper than this is refused rather than recursed into (hostile or cyclic input).
const MAX_DEPTH: usize = 32;

/// The name of schema `i`.
pub fn schema_name(i: usize) -> &'static str {
    line(SCHEMAS, &SCHEMA_LINES, i)
        .and_then(|l| l.split('\t').next())
        .unwrap_or("?")
}

/// Enum `i`: its name, whether its values are numbers, and the values.
pub fn enumeration(i: usize) -> Option<(&'static str, bool, &'static str)> {
    let (name, rest) = line(ENUMS, &ENUM_LINES, i)?.split_once('\t')?;
    let values = rest.split('\t').next().unwrap_or(rest);
    Some(match values.strip_prefix('#') {
        Some(v) => (name, true, v),
        None => (name, false, values),
    })
}

/// Enum `i`'s hint for the caller (why a value is missing), if the table gives one.
fn enum_hint(i: usize) -> Option<&'static str> {
    line(ENUMS, &ENUM_LINES, i)?.splitn(3, '\t').nth(2)
}

/// Whether `value` is one of enum `i`'s values; `Err` lists them.
pub fn enum_allows(i: usize, value: &str) -> Result<(), String> {
    let (name, _, values) = enumeration(i).ok_or_else(|| "has an unknown enum".to_owned())?;
    if values.split('|').any(|v| v == value) {
        return Ok(());
    }
    let hint = enum_hint(i).map(|h| format!("; {h}")).unwrap_or_default();
    Err(format!(
        "must be one of {} ({name}{hint}), got {}",
        values.replace('|', ", "),
        quoted(value)
    ))
}

/// Checks `value` against object schema `schema`.
pub fn check<T: Tree>(schema: usize, value: &T, side: Side) -> Result<(), Mismatch> {
    let mut path = String::new();
    Checker { side }.object(schema, value, &mut path, 0)
}

struct Checker {
    side: Side,
}

fn describe(k: Kind) -> &'static str {
    match k {
        Kind::Null => "null",
        Kind::Bool => "a boolean",
        Kind::Number => "a number",
        Kind::String => "a string",
        Kind::Array => "an array",
        Kind::Object => "an object",
        Kind::Other => "not JSON",
    }
}

fn join(path: &mut String, key: &str) -> usize {
    let len = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    len
}

impl Checker {
    fn fail(&self, path: &str, message: String) -> Result<(), Mismatch> {
        Err(Mismatch {
            path: path.to_owned(),
            message,
        })
    }

    fn object<T: Tree>(
        &self,
        schema: usize,
        value: &T,
        path: &mut String,
        depth: usize,
    ) -> Result<(), Mismatch> {
        let Some(line) = line(SCHEMAS, &SCHEMA_LINES, schema) else {
            return Ok(());
        };
        let (name, fields) = line.split_once('\t').unwrap_or((line, ""));
        if value.kind() != Kind::Object {
            return self.fail(
                path,
                format!("must be an object ({name}), got {}", describe(value.kind())),
            );
        }
        if depth > MAX_DEPTH {
            return self.fail(path, format!("is nested deeper than {MAX_DEPTH} levels"));
        }
        let fields = || {
            fields.split(',').filter(|f| !f.is_empty()).filter_map(|f| {
                let (key, ty) = f.split_once(':')?;
                Some(match key.strip_suffix('!') {
                    Some(k) => (k, true, ty),
                    None => (key, false, ty),
                })
            })
        };
        if self.side == Side::Request {
            for key in value.keys() {
                if value.get(&key).is_some() && !fields().any(|(k, _, _)| k == key) {
                    let mark = join(path, &key);
                    let known: Vec<&str> = fields().map(|(k, _, _)| k).collect();
                    let r = self.fail(
                        path,
                        format!("is not a field of {name} (fields: {})", known.join(", ")),
                    );
                    path.truncate(mark);
                    return r;
                }
            }
        }
        for (key, required, ty) in fields() {
            let mark = join(path, key);
            let r = match value.get(key) {
                None if required => self.fail(path, format!("is required ({name})")),
                None => Ok(()),
                // A request's null is "not set" (dropped before sending), or a deliberate clear.
                Some(v) if self.side == Side::Request && v.kind() == Kind::Null && !required => {
                    Ok(())
                }
                Some(v) => self.value(ty, &v, path, depth + 1),
            };
            path.truncate(mark);
            r?;
        }
        Ok(())
    }

    fn value<T: Tree>(
        &self,
        ty: &str,
        value: &T,
        path: &mut String,
        depth: usize,
    ) -> Result<(), Mismatch> {
        let kind = value.kind();
        let want = |what: &str| self.fail(path, format!("must be {what}, got {}", describe(kind)));
        let (head, rest) = ty.split_at(ty.len().min(1));
        match head {
            "?" if kind == Kind::Null => Ok(()),
            "?" => self.value(rest, value, path, depth),
            "*" => Ok(()),
            "s" if kind == Kind::String => Ok(()),
            "s" => want("a string"),
            "b" if kind == Kind::Bool => Ok(()),
            "b" => want("a boolean"),
            "n" if kind == Kind::Number => Ok(()),
            "n" => want("a number"),
            "i" => match value.number() {
                Some(n) if n.is_finite() && n.fract() == 0.0 => Ok(()),
                Some(n) => self.fail(path, format!("must be an integer, got {}", num(n))),
                None => want("an integer"),
            },
            "o" if kind == Kind::Object => Ok(()),
            "o" => want("an object"),
            "@" => self.object(rest.parse().unwrap_or(usize::MAX), value, path, depth),
            "e" => self.enumeration(rest.parse().unwrap_or(usize::MAX), value, path),
            "[" | "m" if depth > MAX_DEPTH => {
                self.fail(path, format!("is nested deeper than {MAX_DEPTH} levels"))
            }
            "[" if kind == Kind::Array => {
                for (i, item) in value.items().iter().enumerate() {
                    let mark = path.len();
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                    let r = self.value(rest, item, path, depth + 1);
                    path.truncate(mark);
                    r?;
                }
                Ok(())
            }
            "[" => want("an array"),
            "m" if kind == Kind::Object => {
                for key in value.keys() {
                    if let Some(item) = value.get(&key) {
                        let mark = join(path, &key);
                        let r = self.value(rest, &item, path, depth + 1);
                        path.truncate(mark);
                        r?;
                    }
                }
                Ok(())
            }
            "m" => want("an object"),
            _ => Ok(()),
        }
    }

    fn enumeration<T: Tree>(&self, i: usize, value: &T, path: &str) -> Result<(), Mismatch> {
        let Some((name, numeric, _)) = enumeration(i) else {
            return Ok(());
        };
        let text = if numeric {
            value.number().filter(|n| n.fract() == 0.0).map(num)
        } else {
            value.text()
        };
        let Some(text) = text else {
            let what = if numeric { "a number" } else { "a string" };
            return self.fail(
                path,
                format!("must be {what} ({name}), got {}", describe(value.kind())),
            );
        };
        enum_allows(i, &text).or_else(|m| self.fail(path, m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    impl Tree for Value {
        fn kind(&self) -> Kind {
            match self {
                Value::Null => Kind::Null,
                Value::Bool(_) => Kind::Bool,
                Value::Number(_) => Kind::Number,
                Value::String(_) => Kind::String,
                Value::Array(_) => Kind::Array,
                Value::Object(_) => Kind::Object,
            }
        }
        fn get(&self, key: &str) -> Option<Value> {
            self.as_object()?.get(key).cloned()
        }
        fn keys(&self) -> Vec<String> {
            self.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        }
        fn items(&self) -> Vec<Value> {
            self.as_array().cloned().unwrap_or_default()
        }
        fn text(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
    }

    fn schema(name: &str) -> usize {
        SCHEMAS
            .lines()
            .position(|l| l.starts_with(&format!("{name}\t")))
            .unwrap_or_else(|| panic!("no schema {name}"))
    }

    fn campaign() -> Value {
        json!({
            "id": "c1", "name": "Night", "description": null, "in_game_date": null,
            "desperation": 0, "danger": 1, "company_id": "co", "num_books": 0, "num_chapters": 0,
            "num_notes": 0, "num_player_characters": 0, "num_storyteller_characters": 0,
            "num_npc_characters": 0, "date_created": "2026-01-01T00:00:00Z",
            "date_modified": "2026-01-01T00:00:00Z", "a_new_field": [1, 2]
        })
    }

    #[test]
    fn a_valid_response_passes_and_unknown_fields_are_tolerated() {
        assert_eq!(
            check(schema("CampaignResponse"), &campaign(), Side::Response),
            Ok(())
        );
    }

    #[test]
    fn a_missing_or_mistyped_required_field_is_named() {
        let s = schema("CampaignResponse");
        let mut v = campaign();
        v.as_object_mut().unwrap().remove("name");
        let e = check(s, &v, Side::Response).unwrap_err();
        assert_eq!(e.path, "name");
        assert_eq!(e.message, "is required (CampaignResponse)");
        let mut v = campaign();
        v["danger"] = json!(1.5);
        assert_eq!(check(s, &v, Side::Response).unwrap_err().path, "danger");
        v["danger"] = json!("1");
        let e = check(s, &v, Side::Response).unwrap_err();
        assert_eq!(e.message, "must be an integer, got a string");
        let mut v = campaign();
        v["name"] = Value::Null;
        assert_eq!(
            check(s, &v, Side::Response).unwrap_err().message,
            "must be a string, got null"
        );
        assert_eq!(
            check(s, &json!([]), Side::Response).unwrap_err().message,
            "must be an object (CampaignResponse), got an array"
        );
    }

    #[test]
    fn nested_paths_and_enums() {
        let s = schema("BulkAssignTraitResponse");
        let line = SCHEMAS.lines().nth(s).unwrap();
        assert!(line.contains('['), "{line}");
        let v = json!({"succeeded": [{"bad": 1}], "failed": []});
        let e = check(s, &v, Side::Response).unwrap_err();
        assert_eq!(e.path, "succeeded[0].trait_id");
        let req = schema("CompanyPermissionRequest");
        let e = check(
            req,
            &json!({"developer_id": "d", "permission": "BOSS"}),
            Side::Request,
        )
        .unwrap_err();
        assert_eq!(e.path, "permission");
        assert!(
            e.message
                .starts_with("must be one of USER, ADMIN, OWNER, REVOKE"),
            "{e:?}"
        );
    }

    #[test]
    fn requests_refuse_unknown_fields_and_accept_null_as_unset() {
        let s = schema("CampaignCreate");
        let e = check(s, &json!({"name": "x", "nmae": "y"}), Side::Request).unwrap_err();
        assert_eq!(e.path, "nmae");
        assert!(
            e.message.starts_with("is not a field of CampaignCreate"),
            "{e:?}"
        );
        assert_eq!(
            check(s, &json!({"name": "x", "description": null}), Side::Request),
            Ok(())
        );
        let e = check(s, &json!({}), Side::Request).unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            ("name", "is required (CampaignCreate)")
        );
    }

    #[test]
    fn contract_b19_fields_are_enums_on_requests_only() {
        // api-contract §B19: the OpenAPI file leaves these as plain strings.
        let e = check(
            schema("UserCreate"),
            &json!({"username": "ann", "email": "a@b.c", "role": "KING"}),
            Side::Request,
        )
        .unwrap_err();
        assert_eq!(e.path, "role");
        assert_eq!(
            e.message,
            "must be one of ADMIN, STORYTELLER, PLAYER, DEACTIVATED (AssignableUserRole; \
             UNAPPROVED can be set only by globalAdmin.updateUser), got \"KING\""
        );
        let unapproved = json!({"username": "ann", "email": "a@b.c", "role": "UNAPPROVED"});
        assert!(check(schema("UserCreate"), &unapproved, Side::Request).is_err());
        let patch = json!({"role": "UNAPPROVED"});
        assert!(check(schema("UserPatch"), &patch, Side::Request).is_err());
        assert_eq!(
            check(schema("AdminUserPatch"), &patch, Side::Request),
            Ok(())
        );
        let settings = json!({"settings": {"permission_recoup_xp": "SOMETIMES"}});
        let e = check(schema("CompanyPatch"), &settings, Side::Request).unwrap_err();
        assert_eq!(e.path, "settings.permission_recoup_xp");
        assert!(
            e.message.starts_with(
                "must be one of UNRESTRICTED, DENIED, WITHIN_SESSION (RecoupXPPermission)"
            ),
            "{e:?}"
        );
        let npc =
            json!({"name": "Co", "email": "c@d.e", "settings": {"permission_manage_npc": "X"}});
        let e = check(schema("CompanyCreate"), &npc, Side::Request).unwrap_err();
        assert!(e.message.contains("(ManageNPCPermission)"), "{e:?}");
        // A response keeps the OpenAPI's plain string: the server may add a role.
        let mut lookup = json!({"company_id": "c", "company_name": "n", "user_id": "u"});
        lookup["role"] = json!("NEW_ROLE");
        assert_eq!(
            check(schema("UserLookupResult"), &lookup, Side::Response),
            Ok(())
        );
    }

    #[test]
    fn numeric_enums_want_numbers() {
        let i = (0..)
            .find(|&i| enumeration(i).unwrap().0 == "DiceSize")
            .unwrap();
        assert!(enumeration(i).unwrap().1);
        let c = Checker {
            side: Side::Response,
        };
        let mut p = String::new();
        assert!(c.value(&format!("e{i}"), &json!(10), &mut p, 0).is_ok());
        assert!(c.value(&format!("e{i}"), &json!(7), &mut p, 0).is_err());
        assert!(c.value(&format!("e{i}"), &json!("10"), &mut p, 0).is_err());
    }

    #[test]
    fn hostile_depth_is_refused_not_recursed() {
        let c = Checker {
            side: Side::Response,
        };
        let mut v = json!(1);
        for _ in 0..200 {
            v = json!([v]);
        }
        let ty = "[".repeat(200) + "i";
        let mut p = String::new();
        let e = c.value(&ty, &v, &mut p, 0).unwrap_err();
        assert!(e.message.contains("deeper"), "{e:?}");
    }

    #[test]
    fn every_schema_reference_resolves() {
        for line in SCHEMAS.lines() {
            for field in line.split('\t').nth(1).unwrap_or("").split(',') {
                let Some((_, ty)) = field.split_once(':') else {
                    continue;
                };
                for (i, c) in ty.char_indices() {
                    let n: String = ty[i + 1..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    if c == '@' {
                        assert!(SCHEMAS.lines().nth(n.parse().unwrap()).is_some(), "{line}");
                    }
                    if c == 'e' {
                        assert!(enumeration(n.parse().unwrap()).is_some(), "{line}");
                    }
                }
            }
        }
    }
}
