//! One operation of the generated table, parsed on use (a line is ~100 bytes; parsing it
//! costs less than one JS call, and a text table compresses far better than structs).

use super::table::OPS;
pub use super::table::OP_COUNT;
use crate::policy::method::Method;
use crate::policy::url::encode_component;

/// A positional argument of a service method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A path parameter: wire name, JS name, and the enum it must be one of (`{provider}`).
    Path(&'static str, &'static str, Option<usize>),
    /// One body field: wire name, JS name, the default sent when it is omitted (JSON).
    Field(&'static str, &'static str, Option<&'static str>),
    /// The whole JSON body object.
    Body,
    /// A JSON array body (the JS name).
    Array(&'static str),
    /// The file of a multipart upload.
    Upload,
    /// One query parameter given positionally (lookup variants): wire name, JS name.
    Query(&'static str, &'static str),
}

impl Arg {
    /// The name a JS caller knows the argument by.
    pub fn js_name(self) -> &'static str {
        match self {
            Arg::Path(_, js, _) | Arg::Field(_, js, _) | Arg::Array(js) | Arg::Query(_, js) => js,
            Arg::Body => "body",
            Arg::Upload => "file",
        }
    }
}

/// The type of a query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryType {
    /// A string (ids included).
    Text,
    /// An integer.
    Integer,
    /// `true`/`false`.
    Boolean,
    /// An ISO 8601 date-time (a string or a `Date`).
    DateTime,
    /// A list of strings.
    List,
}

/// A query parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuerySpec {
    /// The API's name (`user_role`): on the wire and in a caller's `params` alike.
    pub wire: &'static str,
    /// Its type.
    pub ty: QueryType,
    /// The caller must give it.
    pub required: bool,
    /// Sent with `default` when the caller omits it (the reference always sends it).
    pub always: bool,
    /// Sent only when `true` (a `false` is omitted, as the reference does).
    pub only_if_true: bool,
    /// A list is joined with commas rather than repeated.
    pub comma: bool,
    /// The allowed values (an index into the enum table).
    pub enumeration: Option<usize>,
    /// The default, as JSON text.
    pub default: Option<&'static str>,
    /// Bounds of an integer.
    pub min: Option<i64>,
    /// Bounds of an integer.
    pub max: Option<i64>,
}

/// How the request body is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    Empty,
    /// A JSON object.
    Json,
    /// A JSON array of objects.
    JsonArray,
    /// `multipart/form-data` with one file.
    Multipart,
}

/// The request body of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodySpec {
    /// Its kind.
    pub kind: BodyKind,
    /// The request schema (object, or each array element).
    pub schema: Option<usize>,
    /// Fields whose `null` is sent (it clears the value) rather than dropped.
    pub keep_null: &'static str,
    /// Every field is sent as given, `null` included.
    pub no_exclusions: bool,
}

impl BodySpec {
    /// Whether a `null` in `field` is sent rather than dropped.
    pub fn sends_null(&self, field: &str) -> bool {
        self.no_exclusions || self.keep_null.split(',').any(|f| f == field)
    }
}

/// What a successful response holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// One object.
    Single,
    /// A page envelope of objects.
    Paginated,
    /// 204: nothing.
    NoContent,
    /// A JSON array of objects.
    List,
    /// Any JSON (not validated).
    Raw,
    /// A file download.
    Bytes,
}

/// Whether the operation sends the scope's `On-Behalf-Of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBehalfOf {
    /// Never.
    Never,
    /// Always: the service requires it.
    Required,
    /// When the service was given one.
    Optional,
}

/// One operation of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// The HTTP method.
    pub method: Method,
    /// The path template with `{name}` parameters.
    pub path: &'static str,
    /// Positional arguments, in order.
    pub args: Vec<Arg>,
    /// Query parameters taken from the options object.
    pub query: Vec<QuerySpec>,
    /// The body.
    pub body: BodySpec,
    /// The response kind.
    pub response: ResponseKind,
    /// The response schema (the object, or each item).
    pub schema: Option<usize>,
    /// Page limits: the largest page and the iteration page size.
    pub paging: Option<(u32, u32)>,
    /// `On-Behalf-Of` rule.
    pub on_behalf_of: OnBehalfOf,
    /// `service.method`, for messages.
    pub name: &'static str,
}

fn index(s: &str) -> Option<usize> {
    (!s.is_empty()).then(|| s.parse().ok()).flatten()
}

fn arg(spec: &'static str) -> Option<Arg> {
    let (kind, rest) = spec.split_once(':')?;
    Some(match kind {
        "p" => {
            let (wire, rest) = rest.split_once(':')?;
            match rest.split_once(':') {
                Some((js, e)) => Arg::Path(wire, js, Some(e.parse().ok()?)),
                None => Arg::Path(wire, rest, None),
            }
        }
        "f" => {
            let (wire, rest) = rest.split_once(':')?;
            match rest.split_once('=') {
                Some((js, default)) => Arg::Field(wire, js, Some(default)),
                None => Arg::Field(wire, rest, None),
            }
        }
        "b" => Arg::Body,
        "a" => Arg::Array(rest),
        "u" => Arg::Upload,
        "q" => {
            let (wire, js) = rest.split_once(':')?;
            Arg::Query(wire, js)
        }
        _ => return None,
    })
}

fn query_spec(spec: &'static str) -> Option<QuerySpec> {
    let mut p = spec.split('|');
    let wire = p.next()?;
    let ty = match p.next()? {
        "s" => QueryType::Text,
        "i" => QueryType::Integer,
        "b" => QueryType::Boolean,
        "d" => QueryType::DateTime,
        "l" => QueryType::List,
        _ => return None,
    };
    let flags = p.next()?;
    let enumeration = index(p.next()?);
    let default = Some(p.next()?).filter(|d| !d.is_empty());
    let min = p.next().and_then(|m| m.parse().ok());
    let max = p.next().and_then(|m| m.parse().ok());
    Some(QuerySpec {
        wire,
        ty,
        required: flags.contains('r'),
        always: flags.contains('A'),
        only_if_true: flags.contains('T'),
        comma: flags.contains('C'),
        enumeration,
        default,
        min,
        max,
    })
}

fn parse(line: &'static str) -> Option<Op> {
    let mut c = line.split('\t');
    let method = Method::parse(c.next()?)?;
    let path = c.next()?;
    let args = c
        .next()?
        .split(',')
        .filter(|a| !a.is_empty())
        .map(arg)
        .collect::<Option<Vec<_>>>()?;
    let query = c
        .next()?
        .split(';')
        .filter(|q| !q.is_empty())
        .map(query_spec)
        .collect::<Option<Vec<_>>>()?;
    let mut b = c.next()?.split('|');
    let kind = match b.next()? {
        "" | "n" => BodyKind::Empty,
        "j" => BodyKind::Json,
        "a" => BodyKind::JsonArray,
        "m" => BodyKind::Multipart,
        _ => return None,
    };
    let body = BodySpec {
        kind,
        schema: index(b.next()?),
        keep_null: b.next()?,
        no_exclusions: b.next()? == "x",
    };
    let resp = c.next()?;
    let response = match resp.as_bytes().first()? {
        b's' => ResponseKind::Single,
        b'p' => ResponseKind::Paginated,
        b'0' => ResponseKind::NoContent,
        b'l' => ResponseKind::List,
        b'r' => ResponseKind::Raw,
        b'y' => ResponseKind::Bytes,
        _ => return None,
    };
    let paging = match c.next()?.split_once('|') {
        Some((max, iter)) => Some((max.parse().ok()?, iter.parse().ok()?)),
        None => None,
    };
    let on_behalf_of = match c.next()? {
        "n" => OnBehalfOf::Never,
        "r" => OnBehalfOf::Required,
        "o" => OnBehalfOf::Optional,
        _ => return None,
    };
    Some(Op {
        method,
        path,
        args,
        query,
        body,
        response,
        schema: index(&resp[1..]),
        paging,
        on_behalf_of,
        name: c.next()?,
    })
}

/// Operation `i` of the table, or `None` past its end.
pub fn op(i: usize) -> Option<Op> {
    if i >= OP_COUNT {
        return None;
    }
    OPS.lines().nth(i).and_then(parse)
}

/// Fills the path template: `value(name)` gives each parameter. A missing, empty, `.` or
/// `..` value is refused (it would address another resource); others are percent-encoded.
pub fn fill_path<'a>(
    template: &str,
    value: impl Fn(&str) -> Option<&'a str>,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        let name = &rest[open + 1..close];
        let v = value(name).unwrap_or_default();
        if v.is_empty() || v == "." || v == ".." {
            return Err(name.to_owned());
        }
        encode_component(v, &mut out);
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// The JS spelling of a wire name: `campaign_id` → `campaignId`.
pub fn js_name(wire: &str) -> String {
    let mut out = String::with_capacity(wire.len());
    let mut upper = false;
    for c in wire.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses() {
        for i in 0..OP_COUNT {
            let o = op(i).unwrap_or_else(|| panic!("line {i} does not parse"));
            assert!(o.path.starts_with("/api/v1/"), "{}", o.name);
            assert_eq!(o.paging.is_some(), o.response == ResponseKind::Paginated);
        }
        assert!(op(OP_COUNT).is_none());
    }

    #[test]
    fn reads_the_parts_of_an_operation() {
        let i = (0..OP_COUNT)
            .find(|&i| op(i).unwrap().name == "characterTraits.changeValue")
            .unwrap();
        let o = op(i).unwrap();
        assert_eq!(o.method, Method::Put);
        assert_eq!(
            o.args,
            vec![
                Arg::Path("character_trait_id", "characterTraitId", None),
                Arg::Field("target_value", "newValue", None),
                Arg::Field("currency", "currency", None),
            ]
        );
        assert_eq!(o.on_behalf_of, OnBehalfOf::Required);
        let q = (0..OP_COUNT)
            .map(|i| op(i).unwrap())
            .find(|o| o.name == "globalAdmin.tailLogs")
            .unwrap();
        let limit = q.query.iter().find(|s| s.wire == "limit").unwrap();
        assert_eq!(
            (limit.min, limit.max, limit.always),
            (Some(1), Some(500), true)
        );
        assert_eq!(limit.default, Some("100"));
    }

    #[test]
    fn an_enum_path_parameter_names_its_enum() {
        let o = (0..OP_COUNT)
            .map(|i| op(i).unwrap())
            .find(|o| o.name == "users.unlinkIdentity")
            .unwrap();
        let Some(&Arg::Path("provider", "provider", Some(e))) = o.args.get(1) else {
            panic!("{:?}", o.args);
        };
        assert_eq!(
            crate::catalog::schema::enumeration(e).map(|x| x.0),
            Some("IdentityProvider")
        );
        assert!(matches!(o.args[0], Arg::Path("user_id", "userId", None)));
    }

    #[test]
    fn js_names_are_camel_case() {
        assert_eq!(js_name("werewolf_auspice_id"), "werewolfAuspiceId");
        assert_eq!(js_name("id"), "id");
    }

    #[test]
    fn fills_paths_and_refuses_traversal() {
        let get = |v: &'static str| move |n: &str| (n == "user_id").then_some(v);
        assert_eq!(
            fill_path("/a/{user_id}/b", get("x y/z")).unwrap(),
            "/a/x%20y%2Fz/b"
        );
        for bad in ["", ".", ".."] {
            assert_eq!(fill_path("/a/{user_id}", get(bad)), Err("user_id".into()));
        }
        assert_eq!(fill_path("/a/{other_id}", get("x")), Err("other_id".into()));
    }
}
