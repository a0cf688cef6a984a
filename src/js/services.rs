//! The 17 services: a scope (company, campaign…, `On-Behalf-Of`) plus the generated table.
//! `services.js` gives each service object plain methods that call `ServiceCore.invoke`
//! with an entry number (operation × 4 + mode); everything else happens here.

mod args;

use super::client::{Inner, VClient};
use super::errors::{request_error, request_error_caused, schema_error};
use super::paging::{ItemCheck, Mode, PagedCall, Paginator};
use super::read;
use super::tree::check_value;
use crate::catalog::op::{op, Arg, BodyKind, OnBehalfOf, Op, ResponseKind};
use crate::catalog::query::{encode, unknown_key, Value};
use crate::catalog::schema::{check, enum_allows, Side};
use args::{knob_names, param_names, plain_object};
use js_sys::{Array, Object, Reflect, JSON};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(module = "/src/js/services.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeService)]
    fn make_service(index: u32, core: ServiceCore) -> JsValue;

    /// The API's enums, re-exported from the package.
    #[wasm_bindgen(thread_local_v2, reexport, js_name = Enums)]
    pub static ENUMS: JsValue;
}

/// How a service is scoped (one per accessor, written by the generator).
pub struct Scope<'a> {
    /// Company-scoped: `options.companyId`, else the client's `defaultCompanyId`.
    pub company: bool,
    /// Further ids, as (path parameter, the caller's value).
    pub ids: &'a [(&'static str, JsValue)],
    /// Whether the accessor takes `onBehalfOf`, and if it must be given.
    pub on_behalf_of: OnBehalfOf,
}

/// The wasm half of a service object: the client and the scope's values.
#[wasm_bindgen(skip_typescript)]
pub struct ServiceCore {
    inner: Rc<Inner>,
    values: Vec<(&'static str, String)>,
    on_behalf_of: Option<String>,
}

/// A non-empty string argument, or a `RequestValidationError` naming it.
fn id(name: &str, v: &JsValue) -> Result<String, JsValue> {
    match v.as_string() {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(request_error(
            name,
            &format!("must be a non-empty string, got {}", describe(v)),
        )),
    }
}

fn describe(v: &JsValue) -> String {
    if v.as_string().is_some_and(|s| s.is_empty()) {
        "an empty string".into()
    } else {
        read::type_name(v)
    }
}

fn set(o: &Object, key: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), v);
}

impl std::fmt::Debug for ServiceCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `On-Behalf-Of` identifies the acting user: shown as set or not, never its value.
        f.debug_struct("ServiceCore")
            .field("values", &self.values)
            .field("on_behalf_of", &self.on_behalf_of.as_ref().map(|_| "<set>"))
            .finish_non_exhaustive()
    }
}

impl VClient {
    /// Builds service `index` for `scope`; every check happens here, before any I/O.
    pub(crate) fn service(
        &self,
        index: u32,
        scope: Scope<'_>,
        on_behalf_of: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let inner = self.inner();
        let mut values = Vec::with_capacity(4);
        if scope.company {
            if !(options.is_undefined() || options.is_null() || options.is_object()) {
                return Err(request_error(
                    "options",
                    &format!("must be an object, got {}", read::type_name(&options)),
                ));
            }
            if let Some(k) = read::keys(&options).into_iter().find(|k| k != "companyId") {
                return Err(request_error("options", &unknown_key(&k, &["companyId"])));
            }
            let company = match read::prop(&options, "companyId") {
                Some(c) => id("companyId", &c)?,
                None => inner.engine.config.default_company_id.clone().ok_or_else(|| {
                    request_error(
                        "companyId",
                        "is required: pass { companyId } or set the client's defaultCompanyId (or VALENTINA_CLIENT_DEFAULT_COMPANY_ID)",
                    )
                })?,
            };
            values.push(("company_id", company));
        }
        for (wire, v) in scope.ids {
            values.push((wire, id(&crate::catalog::op::js_name(wire), v)?));
        }
        let on_behalf_of = match scope.on_behalf_of {
            OnBehalfOf::Required => Some(id("onBehalfOf", &on_behalf_of)?),
            OnBehalfOf::Optional if on_behalf_of.is_undefined() || on_behalf_of.is_null() => None,
            OnBehalfOf::Optional => Some(id("onBehalfOf", &on_behalf_of)?),
            OnBehalfOf::Never => None,
        };
        if let Some(obo) = &on_behalf_of {
            // Never echo the value: it identifies the acting user.
            crate::policy::headers::validate_value(obo)
                .map_err(|m| request_error("onBehalfOf", &m))?;
        }
        Ok(make_service(
            index,
            ServiceCore {
                inner,
                values,
                on_behalf_of,
            },
        ))
    }
}

/// A filter value read from JS for `api::query`.
fn query_value(v: Option<JsValue>) -> Value {
    let Some(v) = v else { return Value::Missing };
    if let Some(s) = v.as_string() {
        Value::Text(s)
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Value::Number(n)
    } else if Array::is_array(&v) {
        Value::List(
            v.unchecked_into::<Array>()
                .iter()
                .map(|x| query_value((!x.is_null() && !x.is_undefined()).then_some(x)))
                .collect(),
        )
    } else if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        if d.get_time().is_finite() {
            Value::Date(d.to_iso_string().into())
        } else {
            Value::Other("an invalid Date".into())
        }
    } else {
        Value::Other(read::type_name(&v))
    }
}

/// A request ready to send: the path and the options object for `request()`/paging.
struct Prepared {
    path: String,
    init: Object,
}

/// A body object as plain data, each property read once: a getter that throws fails the
/// call naming it (`body.name`), rather than the field being dropped.
fn read_once(value: &JsValue, field: &str) -> Result<JsValue, JsValue> {
    let keys = read::keys(value);
    let names: Vec<&str> = keys.iter().map(String::as_str).collect();
    read::snapshot(value, &names, &[]).map_err(|t| {
        let message = format!(
            "could not be read: the getter of `{field}.{}` threw (see this error's cause)",
            t.path
        );
        request_error_caused(field, &message, &t.error)
    })
}

/// A copy of a body object for sending: `undefined` dropped, `null` dropped unless it
/// clears a value.
fn shape(op: &Op, value: &JsValue) -> JsValue {
    let out = Object::new();
    for key in read::keys(value) {
        let Ok(v) = Reflect::get(value, &JsValue::from_str(&key)) else {
            continue;
        };
        if v.is_undefined() || (v.is_null() && !op.body.sends_null(&key)) {
            continue;
        }
        set(&out, &key, &v);
    }
    out.into()
}

/// `value` with each `Date` in a date field of the body schema replaced by the text the API
/// takes: `toISOString()`, or its date part for a `date` field (what the reference sends
/// for a Python `date`). A copy when anything changes: the caller's object is left alone.
/// Queries convert `Date`s the same way (`query_value`).
fn with_dates(op: &Op, value: &JsValue, prefix: &str) -> Result<JsValue, JsValue> {
    let Some(schema) = op.body.schema else {
        return Ok(value.clone());
    };
    let mut copy: Option<Object> = None;
    for &(_, field, date_only) in super::services_gen::DATE_FIELDS
        .iter()
        .filter(|f| f.0 == schema)
    {
        let Some(date) = read::prop(value, field).and_then(|v| v.dyn_into::<js_sys::Date>().ok())
        else {
            continue;
        };
        if !date.get_time().is_finite() {
            let name = body_field(op, field, prefix);
            return Err(request_error(
                &name,
                "must be a valid Date, got an invalid Date",
            ));
        }
        let iso = String::from(date.to_iso_string());
        let text = if date_only {
            iso.split('T').next().unwrap_or_default()
        } else {
            iso.as_str()
        };
        let c = copy.get_or_insert_with(|| Object::assign(&Object::new(), value.unchecked_ref()));
        set(c, field, &text.into());
    }
    Ok(copy.map_or_else(|| value.clone(), Into::into))
}

/// How an error names body field `path`: as its positional argument when it is one, else
/// under `prefix` (`items[2].name`), else as `body` for the body itself.
fn body_field(op: &Op, path: &str, prefix: &str) -> String {
    let argument = op.args.iter().find_map(|a| match *a {
        Arg::Field(wire, js, _) if path == wire => Some(js),
        _ => None,
    });
    let field = if let Some(js) = argument {
        js.to_owned()
    } else if path.is_empty() {
        prefix.to_owned()
    } else if prefix.is_empty() {
        path.to_owned()
    } else {
        format!("{prefix}.{path}")
    };
    if field.is_empty() {
        "body".into()
    } else {
        field
    }
}

fn check_body(op: &Op, value: &JsValue, prefix: &str) -> Result<(), JsValue> {
    let Some(schema) = op.body.schema else {
        return Ok(());
    };
    check(schema, &super::tree::JsTree(value.clone()), Side::Request)
        .map_err(|m| request_error(&body_field(op, &m.path, prefix), &m.message))
}

impl ServiceCore {
    fn prepare(&self, op: &Op, mode: u32, args: &Array) -> Result<Prepared, JsValue> {
        let n = op.args.len() as u32;
        // A list method always takes `params` (its paging); a call only when it has filters.
        let has_params = mode != 0 || !op.query.is_empty();
        let max = n + u32::from(has_params) + 1;
        if args.length() > max {
            let names: String = op
                .args
                .iter()
                .map(|a| format!("{}, ", a.js_name()))
                .collect();
            return Err(request_error(
                "arguments",
                &format!(
                    "{} takes at most {max} arguments ({names}{}options), got {}",
                    op.name,
                    if has_params { "params, " } else { "" },
                    args.length()
                ),
            ));
        }
        let data = param_names(op, mode);
        let knobs = knob_names(op);
        if mode > 1 && read::prop(&args.get(n), "offset").is_some() {
            return Err(request_error(
                "offset",
                "is not a param of listAll or iterAll: they always start at offset 0",
            ));
        }
        let params = if has_params {
            plain_object("params", &args.get(n), &data, &knobs)?
        } else {
            JsValue::UNDEFINED
        };
        let options = plain_object("options", &args.get(max - 1), &knobs, &data)?;
        // Read once: a throwing getter fails the call instead of dropping the value.
        let snapshot = |v: &JsValue, names: &[&str], nested: &[&str]| {
            read::snapshot(v, names, nested)
                .map_err(|t| request_error_caused(&t.field, &t.message(), &t.error))
        };
        let params = snapshot(&params, &data, &[])?;
        let options = snapshot(&options, &knobs, &["headers"])?;

        let mut values: Vec<(&str, String)> =
            self.values.iter().map(|(k, v)| (*k, v.clone())).collect();
        let init = Object::new();
        let mut pairs = Vec::new();
        let mut body: Option<Object> = None;
        for (i, arg) in op.args.iter().enumerate() {
            let v = args.get(i as u32);
            match *arg {
                Arg::Path(wire, js, allowed) => {
                    let value = id(js, &v)?;
                    if let Some(e) = allowed {
                        enum_allows(e, &value).map_err(|m| request_error(js, &m))?;
                    }
                    values.push((wire, value));
                }
                Arg::Query(wire, js) => pairs.push((wire.to_owned(), id(js, &v)?)),
                Arg::Field(wire, _, default) => {
                    let b = body.get_or_insert_with(Object::new);
                    let value = match default {
                        Some(d) if v.is_undefined() => JSON::parse(d).unwrap_or(v),
                        _ => v,
                    };
                    if !(value.is_undefined() || value.is_null() && !op.body.sends_null(wire)) {
                        set(b, wire, &value);
                    }
                }
                Arg::Body => {
                    if !v.is_object() || Array::is_array(&v) || v.is_function() {
                        return Err(request_error(
                            "body",
                            &format!("must be an object, got {}", read::type_name(&v)),
                        ));
                    }
                    let v = with_dates(op, &read_once(&v, "body")?, "")?;
                    check_body(op, &v, "")?;
                    set(&init, "json", &shape(op, &v));
                }
                Arg::Array(js) => {
                    if !Array::is_array(&v) {
                        return Err(request_error(
                            js,
                            &format!("must be an array, got {}", read::type_name(&v)),
                        ));
                    }
                    let shaped = Array::new();
                    for (j, item) in v.unchecked_into::<Array>().iter().enumerate() {
                        let at = format!("{js}[{j}]");
                        let item = with_dates(op, &read_once(&item, &at)?, &at)?;
                        check_body(op, &item, &at)?;
                        shaped.push(&shape(op, &item));
                    }
                    set(&init, "json", &shaped);
                }
                Arg::Upload => {
                    let file = if read::prop(&v, "data").is_some() && !v.is_string() {
                        v
                    } else {
                        let o = Object::new();
                        set(&o, "data", &v);
                        o.into()
                    };
                    set(&init, "file", &file);
                }
            }
        }
        if let Some(b) = body {
            let b = with_dates(op, &b, "")?;
            check_body(op, &b, "")?;
            set(&init, "json", &b);
        }
        if op.body.kind == BodyKind::Multipart && read::prop(&init, "file").is_none() {
            return Err(request_error("file", "is required"));
        }
        for spec in &op.query {
            let got = encode(spec, &query_value(read::prop(&params, spec.wire)))
                .map_err(|m| request_error(spec.wire, &m))?;
            pairs.extend(got);
        }
        let path = crate::catalog::op::fill_path(op.path, |name| {
            values
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        })
        .map_err(|name| {
            request_error(
                &crate::catalog::op::js_name(&name),
                "must not be empty, \".\" or \"..\" (a path segment that would address another resource)",
            )
        })?;
        if !pairs.is_empty() {
            let query = Object::new();
            for (k, v) in pairs {
                let key = JsValue::from_str(&k);
                match Reflect::get(&query, &key)
                    .ok()
                    .filter(|x| !x.is_undefined())
                {
                    Some(prev) if Array::is_array(&prev) => {
                        prev.unchecked_into::<Array>().push(&v.into());
                    }
                    Some(prev) => set(&query, &k, &Array::of2(&prev, &v.into())),
                    None => set(&query, &k, &v.into()),
                }
            }
            set(&init, "query", &query);
        }
        // Paging keys go to the pager; on a plain call `limit` is a filter, already in the query.
        let paging: &[&str] = if mode == 0 { &[] } else { &["limit", "offset"] };
        for (from, keys) in [(&params, paging), (&options, knobs.as_slice())] {
            for key in keys {
                if let Some(v) = read::prop(from, key) {
                    set(&init, key, &v);
                }
            }
        }
        if op.on_behalf_of != OnBehalfOf::Never {
            if let Some(obo) = &self.on_behalf_of {
                set(&init, "onBehalfOf", &obo.into());
            }
        }
        if op.response == ResponseKind::Bytes {
            let headers = web_sys::Headers::new_with_str_sequence_sequence(
                &read::prop(&options, "headers").unwrap_or_else(|| Object::new().into()),
            )
            .map_err(|_| {
                request_error(
                    "headers",
                    "must be a Headers, an object or [name, value] pairs",
                )
            })?;
            if !headers.has("accept").unwrap_or(false) {
                let _ = headers.set("Accept", "application/zip");
            }
            set(&init, "headers", &headers);
            set(&init, "responseType", &"bytes".into());
        }
        if let Some((max, _)) = op.paging {
            set(&init, "maxLimit", &f64::from(max).into());
        }
        Ok(Prepared { path, init })
    }
}

/// Checks a 2xx body against the operation's schema; a `ResponseValidationError` names
/// the field, the operation and the request id.
fn check_response(op: &Op, value: &JsValue, request_id: Option<&str>) -> Result<(), JsValue> {
    let Some(schema) = op.schema else {
        return Ok(());
    };
    let list = op.response == ResponseKind::List;
    check_value(schema, value, list).map_err(|m| schema_error(op.name, op.method, &m, request_id))
}

#[wasm_bindgen]
impl ServiceCore {
    /// Runs method `entry` (operation × 4 + mode: 0 call, 1 page, 2 list all, 3 iterate).
    pub fn invoke(&self, entry: u32, args: Array) -> Result<JsValue, JsValue> {
        let mode = entry % 4;
        let op = op((entry / 4) as usize)
            .ok_or_else(|| request_error("method", "is not in this build's table"))?;
        let inner = self.inner.clone();
        if mode == 3 {
            let prepared = self.prepare(&op, mode, &args)?;
            let (call, paging) = paged(&op, prepared, Mode::Iterate)?;
            let first = call.iteration_page(paging.page_size)?;
            return Ok(Paginator::new(inner, call, first).into());
        }
        let prepared = self.prepare(&op, mode, &args);
        Ok(future_to_promise(async move {
            let prepared = prepared?;
            match mode {
                1 => {
                    let (call, paging) = paged(&op, prepared, Mode::Page)?;
                    let page = call.first_page(paging.limit, paging.offset)?;
                    call.one_page(&inner, page).await
                }
                2 => {
                    let (call, paging) = paged(&op, prepared, Mode::Iterate)?;
                    let first = call.iteration_page(paging.page_size)?;
                    call.collect(&inner, first).await
                }
                _ => {
                    let (value, request_id) = inner
                        .send(op.method, prepared.path, prepared.init.into())
                        .await?;
                    match op.response {
                        ResponseKind::NoContent => Ok(JsValue::UNDEFINED),
                        ResponseKind::Bytes => {
                            if read::prop(&value, "filename").is_none() {
                                set(value.unchecked_ref(), "filename", &"vapi-logs.zip".into());
                            }
                            Ok(value)
                        }
                        _ => {
                            check_response(&op, &value, request_id.as_deref())?;
                            Ok(value)
                        }
                    }
                }
            }
        })
        .into())
    }
}

fn paged(
    op: &Op,
    prepared: Prepared,
    mode: Mode,
) -> Result<(PagedCall, super::paging::Paging), JsValue> {
    let (mut call, paging) = PagedCall::new(prepared.path.into(), &prepared.init.into(), mode)?;
    if let Some(schema) = op.schema {
        call.check = Some(ItemCheck {
            schema,
            operation: op.name,
        });
    }
    Ok((call, paging))
}
