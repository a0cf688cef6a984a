#!/usr/bin/env python3
"""Generates everything the services need from the one endpoint table.

Reads spec/endpoints.json (the 166 operations as the reference client exposes them),
spec/services.json (the 17 services' accessor signatures),
spec/openapi.json (the schemas, and the enums of path parameters) and spec/constraints.json
(request fields the reference restricts beyond the OpenAPI file, contract §B19), and writes:

- pkg-template/dist/services/catalog.js  the tables of the JS service layer (operations, schemas,
                         enums, date fields, services), one entry a line
- pkg-template/dist/services/factories.js  the `<name>Service(...)` factories
- pkg-template/dist/services.d.ts  the TypeScript declarations of every model, enum, params
                         type and service, the accessors on `VClient`, the factories and `Enums`
- pkg-template/dist/routes.js  the route table of the user-facing fake (`vclient/testing`)
- pkg-template/dist/routes.d.ts  its route names as a literal type, one documented key per route

Usage: gen_api.py [OUT_DIR]   (default: the repository; tests write to a temp dir and diff)
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else ROOT

ENDPOINTS = json.load(open(os.path.join(ROOT, "spec/endpoints.json")))["endpoints"]
OPENAPI = json.load(open(os.path.join(ROOT, "spec/openapi.json")))
SCHEMAS = OPENAPI["components"]["schemas"]
CONSTRAINTS = json.load(open(os.path.join(ROOT, "spec/constraints.json")))

# The accessor signature of each service (contract §B11), kept in spec/services.json: extra
# scope ids, whether it is company-scoped, then On-Behalf-Of.
SERVICES = [(s["name"], s["ids"], s["company"], s["onBehalfOf"])
            for s in json.load(open(os.path.join(ROOT, "spec/services.json")))["services"]]


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def pascal(name):
    c = camel(name)
    return c[:1].upper() + c[1:]


# ---------------------------------------------------------------- schemas and enums

def ref_name(ref):
    return ref.rsplit("/", 1)[1]


def constraint_error(msg):
    raise SystemExit("spec/constraints.json: " + msg)


def plain_string(prop):
    """Whether an OpenAPI property is a bare string (optionally in a oneOf with null)."""
    alts = [a for a in prop.get("oneOf", prop.get("anyOf", [prop])) if a.get("type") != "null"]
    return len(alts) == 1 and alts[0].get("type") == "string" and not (
        {"enum", "$ref", "format", "const"} & set(alts[0]))


ENUM_NOTES = {}  # enum name -> a hint appended to the "must be one of" message


def apply_constraints():
    """Contract §B19: each constrained request field becomes a `$ref` to a named enum, so the
    validator refuses other values and the declarations type it as a union."""
    for e in CONSTRAINTS["enums"]:
        name = e["name"]
        if name in SCHEMAS:
            constraint_error("enum %s is already a schema of spec/openapi.json" % name)
        if "of" in e:
            base = SCHEMAS.get(e["of"], {}).get("enum")
            if not base:
                constraint_error("enum %s: %s is not an enum of spec/openapi.json" % (name, e["of"]))
            stray = [v for v in e.get("except", []) if v not in base]
            if stray:
                constraint_error("enum %s: %s are not values of %s" % (name, stray, e["of"]))
            values = [v for v in base if v not in e.get("except", [])]
        else:
            values = e["values"]
        SCHEMAS[name] = {"type": "string", "enum": values, "title": name, "description": e["description"]}
        if e.get("note"):
            ENUM_NOTES[name] = e["note"]
    for c in CONSTRAINTS["fields"]:
        where = "%s.%s" % (c["schema"], c["field"])
        props = SCHEMAS.get(c["schema"], {}).get("properties", {})
        if c["field"] not in props:
            constraint_error("%s is not a field of spec/openapi.json" % where)
        if not plain_string(props[c["field"]]):
            constraint_error("%s is no longer a plain string in spec/openapi.json: drop or update the entry" % where)
        if "enum" not in SCHEMAS.get(c["enum"], {}):
            constraint_error("%s: %s is not an enum" % (where, c["enum"]))
        prop = props[c["field"]]
        ref = {"$ref": "#/components/schemas/" + c["enum"]}
        key = "oneOf" if "oneOf" in prop else "anyOf" if "anyOf" in prop else None
        if key:
            props[c["field"]] = {**prop, key: [a if a.get("type") == "null" else ref for a in prop[key]]}
        else:
            props[c["field"]] = {**ref, **{k: v for k, v in prop.items() if k in ("description", "title")}}


apply_constraints()

ENUMS = []  # (name, values)
ENUM_INDEX = {}  # values -> the first enum with them (for inline enums)
NAMED_ENUMS = {}  # schema name -> index


def enum_index(name, values):
    key = tuple(values)
    if key in ENUM_INDEX:
        return ENUM_INDEX[key]
    ENUM_INDEX[key] = len(ENUMS)
    ENUMS.append((name, list(values)))
    return ENUM_INDEX[key]


# Named enums first, each its own line (two with the same values keep their own names in
# messages); an inline enum reuses the first named one with its values.
for _n, _s in SCHEMAS.items():
    if "enum" in _s:
        NAMED_ENUMS[_n] = len(ENUMS)
        ENUM_INDEX.setdefault(tuple(_s["enum"]), len(ENUMS))
        ENUMS.append((_n, list(_s["enum"])))

OBJECTS = []  # schema names in table order
OBJECT_INDEX = {}


def object_index(name):
    if name not in OBJECT_INDEX:
        OBJECT_INDEX[name] = len(OBJECTS)
        OBJECTS.append(name)
        for p in SCHEMAS[name].get("properties", {}).values():
            type_code(p, name)
    return OBJECT_INDEX[name]


def type_code(s, owner):
    """The compact type grammar read by pkg-template/dist/services/check.js."""
    if "$ref" in s:
        target = ref_name(s["$ref"])
        if "enum" in SCHEMAS[target]:
            return "e%d" % NAMED_ENUMS[target]
        return "@%d" % object_index(target)
    for key in ("oneOf", "anyOf"):
        if key in s:
            alts = [a for a in s[key] if a.get("type") != "null"]
            nullable = len(alts) != len(s[key])
            inner = type_code(alts[0], owner) if len(alts) == 1 else "*"
            return ("?" if nullable else "") + inner
    if "enum" in s:
        return "e%d" % enum_index(owner + "Enum", s["enum"])
    t = s.get("type")
    if t == "array":
        return "[" + type_code(s.get("items", {}), owner)
    if t == "object":
        if isinstance(s.get("additionalProperties"), dict):
            return "m" + type_code(s["additionalProperties"], owner)
        return "o"
    if t == "string":
        return "s"
    if t == "integer":
        return "i"
    if t == "number":
        return "n"
    if t == "boolean":
        return "b"
    return "*"


def schema_line(name):
    s = SCHEMAS[name]
    req = set(s.get("required", []))
    fields = []
    for f, p in s.get("properties", {}).items():
        fields.append("%s%s:%s" % (f, "!" if f in req else "", type_code(p, name)))
    return "%s\t%s" % (name, ",".join(fields))


# ---------------------------------------------------------------- the naming rule

# One rule for every call (README "Services"): API data (path ids, bodies, query filters,
# paging `limit`/`offset`, models) keeps the API's own snake_case names; the client's own
# knobs are camelCase and live in a separate request-options argument, last. The generator
# refuses a table that would break it.
KNOBS = ("signal", "timeout", "headers", "idempotencyKey", "maxRetries", "pageSize")
PAGING = ("limit", "offset")


def naming_error(msg):
    raise SystemExit("naming rule: " + msg)


def api_name(q):
    """The name a caller gives query parameter `q` under: the API's own, never a rename."""
    if "js" in q:
        naming_error("query parameter %r has a JS name %r: filters keep the API's name"
                     % (q["name"], q["js"]))
    return q["name"]


def check_naming():
    for o in ENDPOINTS:
        where = "%s.%s" % (o["service"], o["method"])
        names = [api_name(q) for q in o["query"]] + list(o["args"])
        body = o["body"] or {}
        if body.get("schema"):
            names += list(SCHEMAS[body["schema"]].get("properties", {}))
        for n in names:
            if n in KNOBS:
                naming_error("%s: the API field %r collides with the request option of that name"
                             % (where, n))
        if o["pagination"] and any(q["name"] in PAGING for q in o["query"]):
            naming_error("%s: a filter named like a paging key" % where)


check_naming()

# ---------------------------------------------------------------- operations

QUERY_TYPES = {"string": "s", "uuid": "s", "integer": "i", "boolean": "b", "date-time": "d", "string[]": "l"}


def query_spec(q):
    flags = ""
    if q.get("required"):
        flags += "r"
    if q.get("alwaysSend"):
        flags += "A"
    if q.get("sendOnlyIfTrue"):
        flags += "T"
    if q.get("style") == "comma":
        flags += "C"
    enum = str(enum_index(pascal(q["name"]), q["enum"])) if "enum" in q else ""
    default = "" if "default" not in q else json.dumps(q["default"])
    return "|".join([
        api_name(q), QUERY_TYPES[q["type"]], flags, enum, default,
        str(int(q["min"])) if "min" in q else "", str(int(q["max"])) if "max" in q else "",
    ])


RESPONSE_KINDS = {"single": "s", "paginated": "p", "no_content": "0", "list": "l", "raw_json": "r", "bytes": "y"}
BODY_KINDS = {"json": "j", "json-array": "a", "multipart": "m", "none": "n"}


def path_enum(o, name):
    """The named enum of path parameter `name` in the OpenAPI file (`{provider}`), or None."""
    for p in OPENAPI["paths"][o["path"]][o["verb"].lower()].get("parameters", []):
        if p["in"] == "path" and p["name"] == name and "$ref" in p["schema"]:
            target = ref_name(p["schema"]["$ref"])
            return target if "enum" in SCHEMAS[target] else None
    return None


def op_lines(o):
    """One line per JS-visible operation (a lookup variant gets its own line)."""
    body = o["body"] or {}
    path_args = []
    for a, js in zip(o["args"], o["jsArgs"]):
        e = path_enum(o, a)
        path_args.append("p:%s:%s" % (a, js) + (":%d" % NAMED_ENUMS[e] if e else ""))
    body_args = []
    if body.get("kind") == "json" and body.get("bodyArgs"):
        for a in body["bodyArgs"]:
            spec = "f:" + a["field"] + ":" + a["js"]
            if a.get("alwaysSend"):
                spec += "=" + json.dumps(a["default"])
            body_args.append(spec)
    elif body.get("kind") == "json":
        body_args.append("b:body")
    elif body.get("kind") == "json-array":
        body_args.append("a:" + body["arrayArg"]["js"])
    elif body.get("kind") == "multipart":
        body_args.append("u:file")
    schema = str(object_index(body["schema"])) if body.get("schema") else ""
    body_spec = "|".join([
        BODY_KINDS.get(body.get("kind"), ""), schema, ",".join(body.get("keepNull", [])),
        "x" if body.get("noExclusions") else "",
    ])
    r = o["response"]
    resp = RESPONSE_KINDS[r["kind"]] + (str(object_index(r["schema"])) if r.get("schema") else "")
    pg = o["pagination"]
    paging = "%d|%d" % (pg["maxLimit"], pg["iterLimit"]) if pg else ""
    obo = {"never": "n", "required": "r", "optional": "o"}[o["onBehalfOf"]["service"]]
    variants = o.get("variants") or [None]
    out = []
    for v in variants:
        method = v["method"] if v else o["method"]
        args = list(path_args) + body_args
        query = o["query"]
        if v:
            (wire,) = v["query"].keys()
            args.append("q:" + wire + ":" + v["argJs"])
            query = []
        out.append((o, method, "\t".join([
            o["verb"], o["path"], ",".join(args), ";".join(query_spec(q) for q in query),
            body_spec, resp, paging, obo, o["service"] + "." + method,
        ])))
    return out


OPS = []
for _o in ENDPOINTS:
    OPS.extend(op_lines(_o))


def openapi_op(o):
    return OPENAPI["paths"][o["path"]][o["verb"].lower()]


def refs(s):
    """The schema names a property refers to, through unions, arrays and maps."""
    if "$ref" in s:
        return [ref_name(s["$ref"])]
    out = []
    for a in s.get("oneOf", s.get("anyOf", [])):
        out += refs(a)
    for k in ("items", "additionalProperties"):
        if isinstance(s.get(k), dict):
            out += refs(s[k])
    return out


def date_format(s):
    """`date` or `date-time` when the property is such a string (or null), else None."""
    alts = [a for a in s.get("oneOf", s.get("anyOf", [s])) if a.get("type") != "null"]
    fmts = {a.get("format") for a in alts if a.get("type") == "string"}
    return next((f for f in ("date", "date-time") if f in fmts), None)


BODY_SCHEMAS = {(o["body"] or {}).get("schema") for o in ENDPOINTS} - {None}
REQUEST_SCHEMAS = set()  # every schema a request body can contain
_todo = sorted(BODY_SCHEMAS)
while _todo:
    _n = _todo.pop()
    if _n not in REQUEST_SCHEMAS:
        REQUEST_SCHEMAS.add(_n)
        for _p in SCHEMAS[_n].get("properties", {}).values():
            _todo += refs(_p)
for _n in sorted(REQUEST_SCHEMAS):
    for _f, _p in SCHEMAS[_n].get("properties", {}).items():
        # services/prepare.js converts a `Date` only in a body's own fields; a nested one would be
        # typed `string | Date` but refused at run time.
        if date_format(_p) and _n not in BODY_SCHEMAS:
            raise SystemExit("%s.%s: a date inside a nested request object; teach services/prepare.js" % (_n, _f))
for _o in ENDPOINTS:
    _r = _o["response"].get("schema")
    if _r in REQUEST_SCHEMAS and any(date_format(p) for p in SCHEMAS[_r].get("properties", {}).values()):
        raise SystemExit("%s is both a request and a response model with dates: split its TS type" % _r)

# (schema index, field, date only): the body fields where a `Date` becomes its ISO string.
DATE_FIELDS = sorted((OBJECT_INDEX[n], f, date_format(p) == "date")
                     for n in BODY_SCHEMAS for f, p in SCHEMAS[n].get("properties", {}).items()
                     if date_format(p))

# ---------------------------------------------------------------- TypeScript

MODEL_NAMES = {}
for _o in ENDPOINTS:
    # A reference model name that is also another schema's name keeps the schema's name.
    if _o["response"].get("schema") and _o["response"].get("model") and (
            _o["response"]["model"] not in SCHEMAS or _o["response"]["model"] == _o["response"]["schema"]):
        MODEL_NAMES[_o["response"]["schema"]] = _o["response"]["model"]


def ts_name(schema):
    if schema in MODEL_NAMES:
        return MODEL_NAMES[schema]
    return re.sub(r"[^A-Za-z0-9_]", "_", re.sub(r"^[a-z_]+_dto_", "", schema).replace("DTO", ""))


def ts_type(s, owner, request=False):
    """The TS type of property `s`; a request's date or date-time string may be a `Date`."""
    if "$ref" in s:
        return ts_name(ref_name(s["$ref"]))
    for key in ("oneOf", "anyOf"):
        if key in s:
            parts = [ts_type(a, owner, request) for a in s[key]]
            return " | ".join(dict.fromkeys(parts))
    if request and s.get("type") == "string" and s.get("format") in ("date", "date-time"):
        return "string | Date"
    if "enum" in s:
        return " | ".join(json.dumps(v) for v in s["enum"])
    t = s.get("type")
    if t == "array":
        inner = ts_type(s.get("items", {}), owner)
        return ("(%s)[]" % inner) if "|" in inner else inner + "[]"
    if t == "object":
        if isinstance(s.get("additionalProperties"), dict):
            return "Record<string, %s>" % ts_type(s["additionalProperties"], owner)
        return "Record<string, unknown>"
    return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
            "null": "null"}.get(t, "unknown")


def ts_doc(text, indent=""):
    text = (text or "").strip().replace("*/", "*\\/")
    if not text:
        return ""
    lines = text.splitlines()
    if len(lines) == 1:
        return "%s/** %s */\n" % (indent, lines[0])
    return indent + "/**\n" + "".join(("%s * %s" % (indent, l)).rstrip() + "\n" for l in lines) + indent + " */\n"


DATE_NOTES = {
    "date": "A `Date` is sent as its UTC calendar date (`YYYY-MM-DD`, from `toISOString()`).",
    "date-time": "A `Date` is sent as `toISOString()`.",
}


def field_doc(p, request):
    """A model field's doc: the spec's description or title, then what the spec says of its
    format, default and bounds (most fields have nothing else)."""
    lines = [(p.get("description") or p.get("title") or "").strip()]
    alts = [a for a in p.get("oneOf", p.get("anyOf", [p])) if a.get("type") != "null"]
    facts = []
    for a in alts:
        if a.get("format"):
            facts.append("Format: `%s`." % a["format"])
        bounds = [("at least", a.get("minimum")), ("at most", a.get("maximum"))]
        bounds = ["%s %s" % (w, json.dumps(int(v) if v == int(v) else v)) for w, v in bounds if v is not None]
        if bounds:
            facts.append((" and ".join(bounds) + ".").capitalize())
    if p.get("default") not in (None,):
        facts.append("Default: `%s`." % json.dumps(p["default"]))
    if p.get("readOnly"):
        facts.append("Read-only.")
    if request and date_format(p):
        facts.append(DATE_NOTES[date_format(p)])
    lines.append(" ".join(facts))
    return "\n".join(l for l in lines if l)


def ts_models():
    out = []
    names = {}
    for name in sorted(set(SCHEMAS)):
        s = SCHEMAS[name]
        if name.startswith("OffsetPagination"):
            continue  # the envelope is `Page<T>`
        tn = ts_name(name)
        if tn in names:
            raise SystemExit("two schemas map to the TS name %s: %s, %s" % (tn, names[tn], name))
        names[tn] = name
        if "enum" in s:
            out.append(ts_doc(s.get("description")) + "export type %s = %s;\n" % (
                tn, " | ".join(json.dumps(v) for v in s["enum"])))
            continue
        req = set(s.get("required", []))
        request = name in REQUEST_SCHEMAS
        body = []
        for f, p in s.get("properties", {}).items():
            body.append(ts_doc(field_doc(p, request), "  ")
                        + "  %s%s: %s;\n" % (f, "" if f in req else "?", ts_type(p, name, request)))
        out.append(ts_doc(s.get("description") or s.get("title")) + "export interface %s {\n%s}\n" % (tn, "".join(body)))
    for i, (name, values) in enumerate(ENUMS):
        if name in SCHEMAS:
            continue
        out.append("export type %s = %s;\n" % (name, " | ".join(json.dumps(v) for v in values)))
    return "".join(out)


QUERY_TS = {"s": "string", "i": "number", "b": "boolean", "d": "string | Date"}


def query_ts(q):
    if "enum" in q:
        t = ENUMS[enum_index(pascal(q["name"]), q["enum"])][0]
        return "%s[]" % t if q["type"] == "string[]" else t
    return {"string": "string", "uuid": "string", "integer": "number", "boolean": "boolean",
            "date-time": "string | Date", "string[]": "string[]"}[q["type"]]


def operation_doc(o, note=""):
    """A method's doc: the OpenAPI summary, `note`, the description, then the HTTP call."""
    spec = openapi_op(o)
    parts = [spec.get("summary", "").strip(), note, spec.get("description", "").strip()]
    call = "`%s %s`" % (o["verb"], o["path"])
    if o["onBehalfOf"]["server"]:
        call += "; sends `On-Behalf-Of`"
    parts.append(call + ".")
    return "\n\n".join(p for p in parts if p)


def ts_method(o, method, line):
    verb = o["verb"]
    body = o["body"] or {}
    params = ["%s: %s" % (js, ts_name(path_enum(o, a)) if path_enum(o, a) else "string")
              for a, js in zip(o["args"], o["jsArgs"])]
    schema = body.get("schema")
    if body.get("kind") == "json" and body.get("bodyArgs"):
        props = SCHEMAS[schema]["properties"]
        req = set(SCHEMAS[schema].get("required", []))
        for a in body["bodyArgs"]:
            optional = a["field"] not in req or a.get("alwaysSend")
            params.append("%s%s: %s" % (a["js"], "?" if optional else "", ts_type(props[a["field"]], schema, True)))
    elif body.get("kind") == "json":
        params.append("body: %s" % ts_name(schema))
    elif body.get("kind") == "json-array":
        params.append("%s: %s[]" % (body["arrayArg"]["js"], ts_name(schema)))
    elif body.get("kind") == "multipart":
        params.append("file: UploadFile | Blob | ArrayBuffer | ArrayBufferView")
    mutating = verb in ("POST", "PUT", "PATCH")
    options = "options?: %s" % ("MutationOptions" if mutating else "CallOptions")
    r = o["response"]
    model = ts_name(r["schema"]) if r.get("schema") else None
    variants = o.get("variants")
    if variants:
        v = next(v for v in variants if v["method"] == method)
        params.append("%s: string" % v["argJs"])
        query = []
    else:
        query = o["query"]
    # The filters by their API names, one per line, documented from the OpenAPI parameter.
    spec_params = {p["name"]: p for p in openapi_op(o).get("parameters", []) if p["in"] == "query"}
    filters = "".join(
        ts_doc(spec_params.get(q["name"], {}).get("description"), "  ")
        + "  %s%s: %s;\n" % (api_name(q), "" if q.get("required") else "?", query_ts(q)) for q in query)

    params_name = None
    if filters:
        # One named type per operation (`ListUsersParams`), as the Stainless SDKs name theirs.
        params_name = o["operationId"][:1].upper() + o["operationId"][1:] + "Params"
        PARAMS_TYPES[params_name] = ts_doc("The query parameters of `%s.%s`, by the API's names." % (
            o["service"], method if not o["pagination"] else o["pagination"]["names"]["page"])) + \
            "export interface %s {\n%s}\n" % (params_name, filters)

    def with_filters(base):
        if not params_name:
            return base
        return params_name if not base else "%s & %s" % (base, params_name)

    doc = operation_doc(o)
    out = []
    if r["kind"] == "paginated":
        names = o["pagination"]["names"]
        lead = "".join(p + ", " for p in params)
        for kind, note, params_t, ret in (
                ("page", "One page (`limit` default 10, up to %d)." % o["pagination"]["maxLimit"],
                 "PageParams", "APIPromise<Page<%s>>"),
                ("listAll", "Every item, page by page (`limit`: the page size).", "ListParams", "APIPromise<%s[]>"),
                ("iterAll", "An async iterator over every item: `for await (const x of svc.%s())`."
                 % names["iterAll"], "ListParams", "ItemIterator<%s>")):
            out.append(ts_doc(operation_doc(o, note), "  ") + "  %s(%sparams?: %s, %s): %s;\n" % (
                names[kind], lead, with_filters(params_t), options, ret % model))
        return out
    if r["kind"] == "single" and not model:
        # Inline in the spec: the developer plus the new key (the new-key operations).
        model = "Record<string, unknown> & { api_key: string }"
    ret = {"single": model, "list": "%s[]" % model, "no_content": "void",
           "raw_json": "Record<string, unknown>", "bytes": "Download"}[r["kind"]]
    if filters:
        required = any(q.get("required") for q in query)
        params.append("params%s: %s" % ("" if required else "?", with_filters("")))
    params.append(options)
    out.append(ts_doc(doc, "  ") + "  %s(%s): APIPromise<%s>;\n" % (method, ", ".join(params), ret))
    return out


# The paging part of a list method's params: API data, so the API's names.
TS_PARAMS = """/**
 * The paging params of a service's `get…Page()` methods (the API's own query parameters;
 * the operation's filters go beside them in the same object).
 */
export interface PageParams {
  /** Items per page; default 10, clamped to the endpoint's largest page. */
  limit?: number;
  /** Items to skip; default 0. */
  offset?: number;
}

/**
 * The paging params of a service's `listAll…()` and `iterAll…()` methods: they always start at
 * offset 0, so there is no `offset`.
 */
export interface ListParams {
  /** Items per page (the reference client's name); default the endpoint's largest page (100, or 1000 for reference data). */
  limit?: number;
}
"""


PARAMS_TYPES = {}  # the named query-params types, filled by ts_method


def service_ts_name(svc):
    return svc[:1].upper() + svc[1:] + "Service"


def ts_services():
    out = []
    by_service = {}
    for o, method, _ in OPS:
        by_service.setdefault(o["service"], []).extend(ts_method(o, method, None))
    for name, extra, company, obo in SERVICES:
        out.append("/** `client.%s`: %d methods. */\nexport interface %s {\n%s}\n" % (
            name, len(by_service[name]), service_ts_name(name), "".join(by_service[name])))
    return "".join(out)


def accessor_params(extra, company, obo):
    params = ["%s: string" % camel(e) for e in (extra or [])]
    if obo == "required":
        params.append("onBehalfOf: string")
    elif obo == "optional":
        params.append("onBehalfOf?: string | null")
    if company:
        params.append("options?: ScopeOptions")
    return params


def ts_accessors():
    out = ["export interface VClient {\n"]
    fac = []
    for name, extra, company, obo in SERVICES:
        params = accessor_params(extra, company, obo)
        t = service_ts_name(name)
        if company:
            out.append("  /** The %s service, scoped to a company (`options.companyId`, else `defaultCompanyId`). */\n  %s(%s): %s;\n" % (name, name, ", ".join(params), t))
        else:
            out.append("  /** The %s service. */\n  readonly %s: %s;\n" % (name, name, t))
        fac.append("/** `defaultClient().%s`. */\nexport function %sService(%s): %s;\n" % (name, name, ", ".join(params), t))
    out.append("}\n")
    enums = "".join("  readonly %s: { %s };\n" % (n, " ".join("readonly %s: %s;" % (
        json.dumps(str(v)) if not str(v).isidentifier() else v, json.dumps(v)) for v in vs))
        for n, vs in ENUMS if n in SCHEMAS)
    enums_decl = "/** The API's enums as constants: `Enums.UserRole.PLAYER === \"PLAYER\"`. */\nexport declare const Enums: {\n%s};\n" % enums
    return "".join(out) + "".join(fac) + enums_decl


# ---------------------------------------------------------------- JS output

def write(rel, text):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


HEADER = ("Generated by scripts/gen_api.py from spec/endpoints.json, spec/services.json, "
          "spec/openapi.json and spec/constraints.json; do not edit.")


def json_lines(entries, open_, close, encoded=False):
    """A JSON array or object literal with one entry per line."""
    body = ",\n".join("  " + (e if encoded else json.dumps(e, separators=(",", ":"), ensure_ascii=False))
                      for e in entries)
    return "%s\n%s,\n%s" % (open_, body, close)


def gen_catalog_js():
    """The JS service layer's tables, one entry a line."""
    ops = [line.split("\t") for _, _, line in OPS]
    schemas = [schema_line(n).split("\t", 1) for n in OBJECTS]
    schemas = [s + [""] if len(s) == 1 else s for s in schemas]
    enums = [[n, v] + ([ENUM_NOTES[n]] if n in ENUM_NOTES else []) for n, v in ENUMS]
    dates = [[i, f, d] for i, f, d in DATE_FIELDS]
    named = len(NAMED_ENUMS)
    if sorted(NAMED_ENUMS.values()) != list(range(named)) or any(n in SCHEMAS for n, _ in ENUMS[named:]):
        raise SystemExit("the named enums must come first in ENUMS (Enums exports the first NAMED_ENUMS)")
    services = []
    for name, extra, company, obo in SERVICES:
        methods = []
        for i, (o, method, _) in enumerate(OPS):
            if o["service"] != name:
                continue
            if o["response"]["kind"] == "paginated":
                n = o["pagination"]["names"]
                methods += [[n["page"], i * 4 + 1], [n["listAll"], i * 4 + 2], [n["iterAll"], i * 4 + 3]]
            else:
                methods.append([method, i * 4])
        services.append('{"name":%s,"ids":%s,"company":%s,"onBehalfOf":%s,"methods":%s}' % (
            json.dumps(name), json.dumps(extra), json.dumps(company), json.dumps(obo),
            json.dumps(methods, separators=(",", ":"))))
    return """// %s
// The service layer's tables, one entry a line (read by ./ops.js, ./check.js, ./index.js).

/**
 * The operations: [verb, path, positional arguments (`p:wire:js[:enum]`, `f:wire:js[=default]`,
 * `b:body`, `a:js`, `u:file`, `q:wire:js`), query specs (`;`-separated `wire|type|flags|enum|
 * default|min|max`), body spec, response spec, paging limits, On-Behalf-Of mode, name].
 */
export const OPS = %s;

/** The object schemas by index: [name, `field[!]:type` list] (the grammar of ./check.js). */
export const SCHEMAS = %s;

/** The enums by index: [name, values, optional hint for the message]. */
export const ENUMS = %s;

/** How many of ENUMS, from the first, are the API's named enums (exported as `Enums`). */
export const NAMED_ENUMS = %d;

/** The request-body fields that take a date: [schema, field, date only]. */
export const DATE_FIELDS = %s;

/**
 * The services (spec/services.json) and their methods: [name, entry], entry = operation
 * line × 4 + mode (0 call, 1 page, 2 list all, 3 iterate).
 */
export const SERVICES = %s;
""" % (HEADER, json_lines(ops, "[", "]"), json_lines(schemas, "[", "]"), json_lines(enums, "[", "]"),
       named, json_lines(dates, "[", "]"), json_lines(services, "[", "]", True))


CORE_TYPES = ("APIPromise", "CallOptions", "Download", "ItemIterator", "MutationOptions", "Page", "ScopeOptions", "UploadFile")


def gen_services_dts():
    """The services' declarations: models, enums, params, service interfaces, the accessors
    (merged into the glue's `VClient`), the factories and `Enums`."""
    services = ts_services()
    models = ts_models()
    taken = set(re.findall(r"export (?:interface|type) (\w+)", models))
    if taken & set(PARAMS_TYPES):
        raise SystemExit("a params type has a model's name: %s" % sorted(taken & set(PARAMS_TYPES)))
    accessors = ts_accessors()
    head, rest = accessors.split("}\n", 1)
    augment = "declare module './core.js' {\n" + "".join(
        ("  " + l if l else l) for l in (head + "}\n").splitlines(True)).replace("export interface", "interface") + "}\n"
    rest = rest.replace("export function ", "export declare function ")
    return ("// %s\nimport type { %s } from './core.js';\n\n" % (HEADER, ", ".join(CORE_TYPES))
            + models + "\n" + TS_PARAMS + "".join(PARAMS_TYPES.values()) + "\n" + services + "\n"
            + augment + rest)


def gen_factories_js():
    lines = []
    for i, (name, extra, company, obo) in enumerate(SERVICES):
        params = ", ".join([camel(e) for e in (extra or [])] + (["onBehalfOf"] if obo != "never" else [])
                           + (["options"] if company else []))
        lines.append("export function %sService(%s) { return service(%d, [%s]); }\n" % (name, params, i, params))
    return ("// %s\n// `<name>Service(...)`: the service of `defaultClient()` (see ./index.js).\n"
            "import { service } from './index.js';\n\n" % HEADER) + "".join(lines)


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


SAMPLE_UUID = "00000000-0000-7000-8000-000000000000"


def sample(s, key="", depth=0):
    """A small valid value of schema `s` for the fake's default responses."""
    if "$ref" in s:
        return sample(SCHEMAS[ref_name(s["$ref"])], key, depth)
    for k in ("oneOf", "anyOf"):
        if k in s:
            alts = [a for a in s[k] if a.get("type") != "null"]
            return sample(alts[0], key, depth) if alts else None
    if "enum" in s:
        return s["enum"][0]
    if s.get("default") not in (None, "", [], {}):
        return s["default"]
    t = s.get("type")
    if t == "object" or "properties" in s:
        if depth > 12:
            return {}  # only for a schema that requires itself
        req = set(s.get("required", []))
        return {f: sample(p, f, depth + 1) for f, p in s.get("properties", {}).items() if f in req}
    if t == "array":
        return [sample(s.get("items", {}), key, depth + 1)] if depth < 2 else []
    if t == "string":
        fmt = s.get("format")
        if fmt == "uuid" or key == "id" or key.endswith("_id"):
            return SAMPLE_UUID
        if fmt == "date-time":
            return "2026-01-01T00:00:00Z"
        if fmt == "date":
            return "2026-01-01"
        if fmt == "email" or key == "email":
            return "fake@example.com"
        return "fake-" + key.replace("_", "-") if key else "fake"
    if t in ("integer", "number"):
        return s.get("minimum", 1)
    if t == "boolean":
        return False
    return None


def gen_routes_js():
    routes = []
    models = {}
    for o in ENDPOINTS:
        r = o["response"]
        model = ts_name(r["schema"]) if r.get("schema") else None
        if model and model not in models:
            models[model] = sample(SCHEMAS[r["schema"]])
        max_limit = o["pagination"]["maxLimit"] if o["pagination"] else None
        routes.append([o["route"], o["verb"], o["path"], r["kind"], model, max_limit])
    return ("// %s\n// [name, method, path pattern, response style, model, largest page (paginated routes)]\n"
            "export const ROUTES = %s;\n"
            "// A minimal valid instance of each response model (required fields only).\nexport const SAMPLES = %s;\n") % (
        HEADER, json_lines(routes, "[", "]"),
        json_lines(["%s:%s" % (json.dumps(k), json.dumps(v, separators=(",", ":"))) for k, v in models.items()], "{", "}", True))


def gen_routes_dts():
    keys = "".join(ts_doc(operation_doc(o).split("\n\n")[0] + "\n\n`%s %s`" % (o["verb"], o["path"]), "  ")
                   + "  readonly %s: RouteSpec;\n" % o["route"] for o in ENDPOINTS)
    return ("// %s\nimport type { RouteSpec } from './testing.js';\n\n"
            "/** Every route of the API by name, each with its OpenAPI summary. */\n"
            "export interface RouteTable {\n%s}\n\n"
            "/** A route's name: `\"USERS_LIST\"`, `\"CAMPAIGNS_CREATE\"`, … */\n"
            "export type RouteName = keyof RouteTable;\n") % (HEADER, keys)


write("pkg-template/dist/services/catalog.js", gen_catalog_js())
write("pkg-template/dist/services/factories.js", gen_factories_js())
write("pkg-template/dist/services.d.ts", gen_services_dts())
write("pkg-template/dist/routes.js", gen_routes_js())
write("pkg-template/dist/routes.d.ts", gen_routes_dts())
print("gen_api: %d operation lines, %d object schemas, %d enums" % (len(OPS), len(OBJECTS), len(ENUMS)))
