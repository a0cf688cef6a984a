#!/usr/bin/env python3
"""Check spec/endpoints.json (the API-surface table) against spec/openapi.json.

Usage: python3 scripts/check_endpoints.py [ENDPOINTS_JSON [OPENAPI_JSON [CONSTRAINTS_JSON]]]

Python 3.11+, standard library only. Exits 1 and lists every failed check, or prints a
one-line summary followed by "N passed, 0 failed".

The table is the single source of truth for the 17 services, their JS methods, the
TypeScript declarations, the fake server's routes and the coverage test. Wire facts
(paths, parameter names, types, enums, schema names) must agree with the OpenAPI file;
the JS-facing facts (services, method names, argument orders, reference quirks) come from
shared/valentina/api-contract.md §B10-§B17 and are pinned here where the contract states
them. Every place where the table deliberately departs from the spec is an explicit
allow-list below, with the reason.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS_PATH = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "spec" / "endpoints.json"
OPENAPI_PATH = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "spec" / "openapi.json"
CONSTRAINTS_PATH = Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT / "spec" / "constraints.json"

V1 = "/api/v1"
C = "/api/v1/companies/{company_id}"
VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# --------------------------------------------------------------------------- contract facts

# §B11: accessor -> path params supplied by the service's scope, On-Behalf-Of handling, and
# the number of (verb, path) endpoints the service owns.
SERVICES = {
    "companies": ([], "never", 8),
    "developer": ([], "never", 3),
    "globalAdmin": ([], "never", 14),
    "system": ([], "never", 1),
    "userLookup": ([], "never", 1),
    "users": (["company_id"], "required", 32),
    "identity": (["company_id"], "never", 1),
    "campaigns": (["company_id"], "required", 15),
    "books": (["company_id", "campaign_id"], "required", 15),
    "chapters": (["company_id", "campaign_id", "book_id"], "required", 15),
    "characters": (["company_id"], "required", 22),
    "characterTraits": (["company_id", "character_id"], "required", 8),
    "characterBlueprint": (["company_id"], "optional", 16),
    "dictionary": (["company_id"], "optional", 5),
    "dicerolls": (["company_id"], "required", 4),
    "options": (["company_id"], "optional", 1),
    "characterAutogen": (["company_id"], "required", 5),
}
TOTAL_OPERATIONS = 166
TOTAL_JS_METHODS = 238  # §B11: 166 endpoints + 2 per paginated list (34) + 4 extra UserLookup variants
VERB_COUNTS = {"GET": 81, "POST": 40, "DELETE": 24, "PATCH": 17, "PUT": 4}  # §A1

# §A4: the 56 operations that require On-Behalf-Of (paths relative to C).
A4_OBO = {
    # Users (18)
    ("GET", "/users/unapproved"), ("POST", "/users"), ("PATCH", "/users/{user_id}"),
    ("DELETE", "/users/{user_id}"), ("POST", "/users/merge"),
    ("POST", "/users/{user_id}/approve"), ("POST", "/users/{user_id}/deny"),
    ("POST", "/users/{user_id}/identities"), ("DELETE", "/users/{user_id}/identities/{provider}"),
    ("POST", "/users/{user_id}/assets/upload"), ("PUT", "/users/{user_id}/avatar"),
    ("DELETE", "/users/{user_id}/avatar"), ("POST", "/users/{user_id}/experience/xp/add"),
    ("POST", "/users/{user_id}/experience/xp/remove"), ("POST", "/users/{user_id}/experience/cp/add"),
    ("POST", "/users/{user_id}/quickrolls"), ("PATCH", "/users/{user_id}/quickrolls/{quickroll_id}"),
    ("DELETE", "/users/{user_id}/quickrolls/{quickroll_id}"),
    # Campaigns (5)
    ("POST", "/campaigns"), ("PATCH", "/campaigns/{campaign_id}"), ("DELETE", "/campaigns/{campaign_id}"),
    ("POST", "/campaigns/{campaign_id}/assets/upload"),
    ("DELETE", "/campaigns/{campaign_id}/assets/{asset_id}"),
    # Books (6)
    ("POST", "/campaigns/{campaign_id}/books"), ("PATCH", "/campaigns/{campaign_id}/books/{book_id}"),
    ("DELETE", "/campaigns/{campaign_id}/books/{book_id}"),
    ("PUT", "/campaigns/{campaign_id}/books/{book_id}/number"),
    ("POST", "/campaigns/{campaign_id}/books/{book_id}/assets/upload"),
    ("DELETE", "/campaigns/{campaign_id}/books/{book_id}/assets/{asset_id}"),
    # Chapters (6)
    ("POST", "/campaigns/{campaign_id}/books/{book_id}/chapters"),
    ("PATCH", "/campaigns/{campaign_id}/books/{book_id}/chapters/{chapter_id}"),
    ("DELETE", "/campaigns/{campaign_id}/books/{book_id}/chapters/{chapter_id}"),
    ("PUT", "/campaigns/{campaign_id}/books/{book_id}/chapters/{chapter_id}/number"),
    ("POST", "/campaigns/{campaign_id}/books/{book_id}/chapters/{chapter_id}/assets/upload"),
    ("DELETE", "/campaigns/{campaign_id}/books/{book_id}/chapters/{chapter_id}/assets/{asset_id}"),
    # Characters (9)
    ("GET", "/characters"), ("POST", "/characters"), ("PATCH", "/characters/{character_id}"),
    ("DELETE", "/characters/{character_id}"), ("POST", "/characters/{character_id}/assets/upload"),
    ("DELETE", "/characters/{character_id}/assets/{asset_id}"),
    ("POST", "/characters/{character_id}/inventory"),
    ("PATCH", "/characters/{character_id}/inventory/{inventory_item_id}"),
    ("DELETE", "/characters/{character_id}/inventory/{inventory_item_id}"),
    # Autogen (3)
    ("POST", "/characters/autogenerate"), ("POST", "/characters/chargen/start"),
    ("GET", "/characters/chargen/sessions"),
    # Traits (5)
    ("POST", "/characters/{character_id}/traits/assign"),
    ("POST", "/characters/{character_id}/traits/bulk-assign"),
    ("POST", "/characters/{character_id}/traits/create"),
    ("DELETE", "/characters/{character_id}/traits/{character_trait_id}"),
    ("PUT", "/characters/{character_id}/traits/{character_trait_id}/value"),
    # Dice rolls (4)
    ("GET", "/dicerolls"), ("POST", "/dicerolls"), ("POST", "/dicerolls/quickroll"),
    ("GET", "/dicerolls/{diceroll_id}"),
}
A4_COUNT = 56

# §A8: paginated lists. Reference catalogues (max 1000): the 8 blueprint lists + dictionary.
PAGINATED_COUNT = 34
MAX_1000_LISTS = {("GET", C + "/characterblueprint/" + r) for r in (
    "sections", "categories", "subcategories", "traits", "concepts", "vampire-clans",
    "werewolf-auspices", "werewolf-tribes")} | {("GET", C + "/dictionaries")}
# §A8/§B8: the only non-paginated lists (plain JSON arrays).
PLAIN_ARRAY_LISTS = {("GET", V1 + "/users/lookup"), ("GET", C + "/characters/chargen/sessions"),
                     ("GET", V1 + "/admin/logs")}

# §B2: JSON bodies that keep an explicit null for these fields.
KEEP_NULL = {("campaigns", "update"): ["in_game_date"], ("characters", "update"): ["date_of_birth"]}
# §B2: bodies dumped without exclusions.
NO_EXCLUSIONS = {("users", "approveUser"), ("companies", "grantAccess"), ("users", "addXp"),
                 ("users", "removeXp"), ("users", "addCoolPoints")}
# §B12: POSTs sent with no body at all.
NO_BODY_POSTS = {("developer", "regenerateApiKey"), ("users", "denyUser"),
                 ("globalAdmin", "createApiKey"), ("characterAutogen", "startChargenSession")}
# §B8: methods that return nothing (204, and deny_user's empty 201).
# DELETEs that return a body instead: unlink_identity and delete_avatar (User).
DELETE_WITH_BODY = {("users", "unlinkIdentity"), ("users", "deleteAvatar")}
# §B12/§B16: query parameters the reference always sends (with their default) ...
ALWAYS_SEND_QUERY = {
    ("companies", "getStatistics", "num_top_traits"): 5,
    ("users", "getStatistics", "num_top_traits"): 5,
    ("campaigns", "getStatistics", "num_top_traits"): 5,
    ("characters", "getStatistics", "num_top_traits"): 5,
    ("characters", "getPage", "is_temporary"): False,
    ("globalAdmin", "tailLogs", "limit"): 100,
}
# ... and the flags it sends only when true.
SEND_ONLY_IF_TRUE = {
    ("characters", "getFullSheet", "include_available_traits"),
    ("characters", "getFullSheetCategory", "include_available_traits"),
    ("characterBlueprint", "getTraitsPage", "exclude_subcategory_traits"),
}
# §B2: the audit-log `include` is comma-joined; every other array is a repeated key.
COMMA_QUERY = {("companies", "getAuditLogPage", "include"), ("globalAdmin", "getAuditLogPage", "include")}
# §B12: body fields the reference always sends (create_from_quickroll).
ALWAYS_SEND_BODY = {("dicerolls", "createFromQuickroll", "difficulty"): 6,
                    ("dicerolls", "createFromQuickroll", "num_desperation_dice"): 0}
# §B12: query parameters that replace a body field (autogen campaign_id).
QUERY_SOURCE = {("characterAutogen", "generateCharacter", "campaign_id"),
                ("characterAutogen", "startChargenSession", "campaign_id")}

# §B12: JS argument names that differ from camelCase(path param): the contract names these
# ids differently from the spec (term_id / item_id); every other jsArg is camelCase(arg).
JS_ARG_RENAMES = {
    ("dictionary", "get"): {"dictionary_term_id": "termId"},
    ("dictionary", "update"): {"dictionary_term_id": "termId"},
    ("dictionary", "delete"): {"dictionary_term_id": "termId"},
    ("characters", "getInventoryItem"): {"inventory_item_id": "itemId"},
    ("characters", "updateInventoryItem"): {"inventory_item_id": "itemId"},
    ("characters", "deleteInventoryItem"): {"inventory_item_id": "itemId"},
}
# §B12: ids the reference takes keyword-only (blueprint get_X(*, X_id=…), unlink_identity).
KEYWORD_ONLY_ARGS = {
    ("users", "unlinkIdentity"): ["provider"],
    **{("characterBlueprint", "get" + name): [pp] for name, pp in (
        ("Section", "section_id"), ("Category", "category_id"), ("Subcategory", "subcategory_id"),
        ("Trait", "trait_id"), ("Concept", "concept_id"), ("VampireClan", "vampire_clan_id"),
        ("WerewolfAuspice", "werewolf_auspice_id"), ("WerewolfTribe", "werewolf_tribe_id"))},
}

# --------------------------------------------------------------------------- spec allow-lists

# The spec omits the path-parameter declarations of these operations although the path
# template contains them (the server still routes on them). Keyed by (verb, path) -> the
# undeclared names. Entries listed here must mention it in `notes`; a stale entry (the spec
# now declares them) is itself a failure.
UNDECLARED_PATH_PARAMS = {
    ("DELETE", C + "/campaigns/{campaign_id}/books/{book_id}/assets/{asset_id}"): ["campaign_id", "book_id"],
    ("DELETE", C + "/campaigns/{campaign_id}/assets/{asset_id}"): ["campaign_id"],
    ("DELETE", C + "/campaigns/{campaign_id}/books/{book_id}/chapters/{chapter_id}/assets/{asset_id}"):
        ["campaign_id", "book_id", "chapter_id"],
    ("DELETE", C + "/characters/{character_id}/assets/{asset_id}"): ["character_id"],
    ("DELETE", C + "/users/{user_id}/assets/{asset_id}"): ["company_id", "user_id"],
    ("GET", C + "/users/{user_id}/quickrolls/{quickroll_id}"): ["company_id", "user_id"],
    ("GET", C + "/options"): ["company_id"],
    **{("GET", C + "/characterblueprint/" + p): ["company_id"] for p in (
        "sections", "sections/{section_id}", "categories", "categories/{category_id}",
        "subcategories", "subcategories/{subcategory_id}", "traits", "traits/{trait_id}",
        "concepts", "concepts/{concept_id}", "vampire-clans", "vampire-clans/{vampire_clan_id}",
        "werewolf-auspices", "werewolf-auspices/{werewolf_auspice_id}",
        "werewolf-tribes", "werewolf-tribes/{werewolf_tribe_id}")},
}

# The spec documents the multipart file field as `file`; the server (§A9: "one file field
# named `data`") and the reference client (§B2) use `data`. Observed behaviour wins (§A1).
MULTIPART_FIELD_SPEC = "file"
MULTIPART_FIELD_WIRE = "data"

# 2xx responses the spec documents only as an inline (unnamed) schema. The table gives
# them schema null and the kind below (the reference's model is named in `model`).
INLINE_RESPONSES = {
    ("POST", V1 + "/developers/me/new-key"): "single",        # MeDeveloperWithApiKey
    ("POST", V1 + "/admin/developers/{developer_id}/new-key"): "single",  # DeveloperWithApiKey
    ("GET", C + "/options"): "raw_json",                         # raw {category: {option: …}}
    ("GET", V1 + "/admin/logs/download"): "bytes",               # zip bytes, §A9 / §B8
}

# --------------------------------------------------------------------------- helpers

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
IDENTIFIER_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
# ECMAScript reserved words: fine as method (property) names such as `client.users.delete()`,
# but not as parameter or variable names.
JS_RESERVED = {
    "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
    "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function",
    "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this",
    "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static",
    "implements", "interface", "package", "private", "protected", "public", "arguments", "eval",
}
QUERY_TYPES = {"string", "integer", "number", "boolean", "string[]", "date-time", "uuid"}
BODY_KINDS = {"json", "json-array", "multipart", "none"}
RESPONSE_KINDS = {"single", "paginated", "list", "no_content", "raw_json", "bytes"}
ENTRY_KEYS = ["service", "method", "operationId", "route", "verb", "path", "pathParams", "scope",
              "args", "jsArgs", "query", "body", "response", "pagination", "onBehalfOf", "notes"]
OPTIONAL_KEYS = {"variants", "keywordOnlyArgs"}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class Checker:
    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []

    def check(self, cond: bool, msg: str) -> bool:
        if cond:
            self.passed += 1
        else:
            self.failures.append(msg)
        return bool(cond)

    def eq(self, got, want, msg: str) -> bool:
        return self.check(got == want, f"{msg}: got {got!r}, want {want!r}")


def ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def unwrap(schema: dict) -> dict:
    if "oneOf" in schema:
        alts = [a for a in schema["oneOf"] if a.get("type") != "null"]
        if len(alts) == 1:
            return unwrap(alts[0])
    return schema


def spec_query_type(schema: dict, schemas: dict) -> tuple[str, list | None]:
    s = unwrap(schema)
    if "$ref" in s:
        return "string", schemas[ref_name(s)].get("enum")
    t = s.get("type")
    if t == "array":
        item = unwrap(s.get("items", {}))
        return "string[]", schemas[ref_name(item)].get("enum") if "$ref" in item else item.get("enum")
    if t == "string":
        fmt = s.get("format")
        return (fmt, None) if fmt in ("uuid", "date-time") else ("string", s.get("enum"))
    return t, None


def envelope_item(schemas: dict, name: str) -> str | None:
    try:
        return ref_name(schemas[name]["properties"]["items"]["items"])
    except KeyError:
        return None


def spec_response(op: dict, schemas: dict) -> dict:
    """Describe the first documented 2xx response of an operation."""
    code, resp = next(((c, r) for c, r in op.get("responses", {}).items() if c.startswith("2")),
                      (None, {}))
    content = resp.get("content")
    if not content:
        return {"code": code, "kind": "no_content", "schema": None}
    media, body = next(iter(content.items()))
    sch = body.get("schema", {})
    name = ref_name(sch)
    if name and name.startswith("OffsetPagination_"):
        return {"code": code, "kind": "paginated", "schema": envelope_item(schemas, name), "alt": None}
    if name:
        return {"code": code, "kind": "single", "schema": name}
    if sch.get("type") == "array" and ref_name(sch.get("items", {})):
        return {"code": code, "kind": "list", "schema": ref_name(sch["items"])}
    alts = [ref_name(a) for a in sch.get("oneOf", [])]
    if alts and all(a and a.startswith("OffsetPagination_") for a in alts):
        items = [envelope_item(schemas, a) for a in alts]
        return {"code": code, "kind": "paginated", "schema": items[0], "alt": items[1:]}
    return {"code": code, "kind": "inline", "schema": None, "media": media}


def plain_string(prop: dict) -> bool:
    s = unwrap(prop)
    return s.get("type") == "string" and not ({"enum", "$ref", "format", "const"} & set(s))


def request_schemas(entries: list, schemas: dict) -> set:
    """Every schema a request body reaches, nested ones included."""
    seen: set = set()
    todo = [(e.get("body") or {}).get("schema") for e in entries]
    while todo:
        name = todo.pop()
        if not name or name in seen or name not in schemas:
            continue
        seen.add(name)
        todo += re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schemas[name]))
    return seen


def check_constraints(ck: Checker, entries: list, schemas: dict) -> int:
    """spec/constraints.json (§B19) must name real request fields that are still plain
    strings, and must cover every request field that shares a constrained name."""
    data = json.loads(CONSTRAINTS_PATH.read_text())
    enums = {}
    for e in data.get("enums", []):
        name = e.get("name", "")
        tag = f"constraints: enum {name!r}"
        ck.check(IDENTIFIER_NAME.match(name) is not None and name not in schemas and name not in enums,
                 f"{tag}: must be a new identifier (not a spec schema, not repeated)")
        ck.check(bool(e.get("cite")) and bool(e.get("description")), f"{tag}: needs a cite and a description")
        if "of" in e:
            base = schemas.get(e["of"], {}).get("enum")
            if ck.check(bool(base), f"{tag}: `of` {e.get('of')!r} is not an enum of the spec"):
                ck.check(set(e.get("except", [])) <= set(base), f"{tag}: `except` values not in {e['of']}")
                enums[name] = [v for v in base if v not in e.get("except", [])]
        else:
            vs = e.get("values", [])
            ck.check(bool(vs) and all(isinstance(v, str) and v for v in vs) and len(set(vs)) == len(vs),
                     f"{tag}: values must be distinct non-empty strings")
            enums[name] = vs
    request = request_schemas(entries, schemas)
    seen = set()
    for c in data.get("fields", []):
        key = (c.get("schema"), c.get("field"))
        tag = f"constraints: {key[0]}.{key[1]}"
        ck.check(key not in seen, f"{tag}: listed twice")
        seen.add(key)
        ck.check(bool(c.get("cite")), f"{tag}: needs a cite (api-contract §B19)")
        ck.check(c.get("enum") in enums or "enum" in schemas.get(c.get("enum", ""), {}), f"{tag}: unknown enum {c.get('enum')!r}")
        prop = schemas.get(key[0], {}).get("properties", {}).get(key[1])
        if not ck.check(prop is not None, f"{tag}: not a field of spec/openapi.json"):
            continue
        ck.check(key[0] in request, f"{tag}: {key[0]} is not a request body schema")
        ck.check(plain_string(prop), f"{tag}: the spec no longer types it as a plain string; update the entry")
    # A request field named like a constrained one (a new schema reusing `role`) must be listed.
    names = {f for _, f in seen}
    for name in sorted(request):
        for f, prop in schemas[name].get("properties", {}).items():
            if f in names and plain_string(prop):
                ck.check((name, f) in seen, f"constraints: request field {name}.{f} is a plain string like the constrained ones; list it")
    return len(seen)


# --------------------------------------------------------------------------- main


def main() -> int:
    ck = Checker()
    spec = json.loads(OPENAPI_PATH.read_text())
    table = json.loads(ENDPOINTS_PATH.read_text())
    schemas = spec["components"]["schemas"]

    ops = {}
    for path, item in spec["paths"].items():
        for verb, op in item.items():
            if verb.upper() in VERBS:
                ops[(verb.upper(), path)] = op
    ck.eq(len(ops), TOTAL_OPERATIONS, "spec operation count")
    ck.eq(len(schemas), 161, "spec schema count")
    ck.eq(dict(Counter(v for v, _ in ops)), VERB_COUNTS, "spec verb counts")

    ck.eq(table.get("version"), 1, "table version")
    entries = table.get("endpoints", [])
    ck.eq(len(entries), TOTAL_OPERATIONS, "number of entries")

    # ---- coverage: one entry per (verb, path), none missing, extra or duplicated
    keys = [(e.get("verb"), e.get("path")) for e in entries]
    dups = [k for k, n in Counter(keys).items() if n > 1]
    ck.check(not dups, f"duplicated (verb, path) entries: {dups}")
    missing = sorted(set(ops) - set(keys))
    extra = sorted(set(keys) - set(ops))
    ck.check(not missing, f"spec operations missing from the table: {missing}")
    ck.check(not extra, f"table entries not in the spec: {extra}")

    # ---- allow-lists must match reality (no stale entries)
    for key, names in UNDECLARED_PATH_PARAMS.items():
        op = ops.get(key)
        if not ck.check(op is not None, f"UNDECLARED_PATH_PARAMS names an unknown operation {key}"):
            continue
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        ck.check(not (set(names) & declared), f"stale UNDECLARED_PATH_PARAMS entry {key}: spec declares {sorted(set(names) & declared)}")
    for key, kind in INLINE_RESPONSES.items():
        op = ops.get(key)
        if ck.check(op is not None, f"INLINE_RESPONSES names an unknown operation {key}"):
            ck.eq(spec_response(op, schemas)["kind"], "inline", f"INLINE_RESPONSES entry {key} is inline in the spec")
    inline_ops = {k for k, op in ops.items() if spec_response(op, schemas)["kind"] == "inline"}
    ck.eq(sorted(inline_ops), sorted(INLINE_RESPONSES), "operations with inline 2xx schemas")

    # ---- On-Behalf-Of, from the spec, cross-checked against §A4
    spec_obo = {k for k, op in ops.items() if any(
        p["in"] == "header" and p["name"] == "On-Behalf-Of" and p.get("required")
        for p in op.get("parameters", []))}
    ck.eq(len(spec_obo), A4_COUNT, "spec operations requiring On-Behalf-Of")
    ck.eq(len(A4_OBO), A4_COUNT, "§A4 list size")
    a4_full = {(v, C + p) for v, p in A4_OBO}
    ck.eq(sorted(spec_obo ^ a4_full), [], "spec On-Behalf-Of operations vs §A4 (symmetric difference)")

    # ---- per-service counts and names
    svc_counts = Counter(e.get("service") for e in entries)
    ck.eq(set(svc_counts), set(SERVICES), "service names")
    for svc, (_, _, want) in SERVICES.items():
        ck.eq(svc_counts.get(svc, 0), want, f"endpoint count of service {svc}")

    js_methods: dict[str, list[str]] = {s: [] for s in SERVICES}
    routes = []
    seen_keep_null, seen_no_excl, seen_no_body = {}, set(), set()
    seen_always_q, seen_only_true, seen_comma, seen_always_b, seen_source = {}, set(), set(), {}, set()
    paginated_keys, list_keys = [], []
    obo_true = 0

    for i, e in enumerate(entries):
        verb, path = e.get("verb"), e.get("path")
        tag = f"[{i}] {e.get('service')}.{e.get('method')} {verb} {path}"
        if not ck.check(isinstance(e, dict), f"{tag}: entry is not an object"):
            continue
        ck.eq(sorted(set(e) - OPTIONAL_KEYS), sorted(ENTRY_KEYS), f"{tag}: entry keys")
        op = ops.get((verb, path))
        if op is None:
            continue  # reported above
        svc = e.get("service")
        if svc not in SERVICES:
            ck.check(False, f"{tag}: unknown service {svc!r}")
            continue
        scope_want, obo_svc, _ = SERVICES[svc]
        method = e.get("method")
        notes = e.get("notes", "")
        ck.check(isinstance(notes, str), f"{tag}: notes must be a string")
        key = (svc, method)

        # identity
        ck.eq(e.get("operationId"), op.get("operationId"), f"{tag}: operationId")
        ck.check(isinstance(method, str) and CAMEL.match(method) is not None, f"{tag}: method {method!r} is not camelCase")
        ck.check(isinstance(method, str) and IDENTIFIER_NAME.match(method) is not None, f"{tag}: method {method!r} is not a JS IdentifierName")
        route = e.get("route")
        ck.check(isinstance(route, str) and UPPER_SNAKE.match(route) is not None, f"{tag}: route {route!r} is not UPPER_SNAKE")
        routes.append(route)

        # path params, scope, args
        in_path = re.findall(r"\{(\w+)\}", path)
        ck.eq(e.get("pathParams"), in_path, f"{tag}: pathParams")
        ck.eq(e.get("scope"), scope_want, f"{tag}: scope")
        args = e.get("args", [])
        ck.eq(sorted(e.get("scope", []) + args), sorted(in_path), f"{tag}: scope + args = path params")
        # every reference method takes its path ids in path order (§B12)
        ck.eq(args, [p for p in in_path if p not in scope_want], f"{tag}: args (path order)")
        js_args = e.get("jsArgs", [])
        renames = JS_ARG_RENAMES.get(key, {})
        ck.eq(js_args, [renames.get(a, camel(a)) for a in args], f"{tag}: jsArgs")
        for ja in js_args:
            ck.check(CAMEL.match(ja) is not None and ja not in JS_RESERVED, f"{tag}: jsArg {ja!r} is not a camelCase non-reserved identifier")
        ck.eq(e.get("keywordOnlyArgs", []), KEYWORD_ONLY_ARGS.get(key, []), f"{tag}: keywordOnlyArgs")
        declared_path = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        undeclared = [p for p in in_path if p not in declared_path]
        allowed = UNDECLARED_PATH_PARAMS.get((verb, path), [])
        ck.eq(sorted(undeclared), sorted(allowed), f"{tag}: path params missing from the spec (allow-list)")
        ck.check(all(d in in_path for d in declared_path), f"{tag}: spec declares path params not in the path: {declared_path}")
        if allowed:
            ck.check("path-parameter declaration" in notes, f"{tag}: allow-listed undeclared path params must be noted")
        for p in op.get("parameters", []):
            if p["in"] == "path":
                t, _ = spec_query_type(p["schema"], schemas)
                ck.check(t in ("uuid", "string"), f"{tag}: path param {p['name']} has unexpected type {t}")

        # pagination + response
        resp = e.get("response") or {}
        pag = e.get("pagination")
        sresp = spec_response(op, schemas)
        kind = resp.get("kind")
        ck.check(kind in RESPONSE_KINDS, f"{tag}: response.kind {kind!r}")
        rschema = resp.get("schema")
        ck.check(rschema is None or rschema in schemas, f"{tag}: response.schema {rschema!r} not in components.schemas")
        for extra_key in ("altSchema",):
            if extra_key in resp:
                ck.check(resp[extra_key] in schemas, f"{tag}: response.{extra_key} {resp[extra_key]!r} not in components.schemas")
        model = resp.get("model")
        ck.check(model is None or IDENTIFIER_NAME.match(model) is not None, f"{tag}: response.model {model!r}")
        if sresp["kind"] == "inline":
            ck.eq(kind, INLINE_RESPONSES.get((verb, path)), f"{tag}: response.kind for an inline spec schema (allow-list)")
            ck.eq(rschema, None, f"{tag}: response.schema for an inline spec schema")
            ck.check(bool(notes), f"{tag}: inline spec response must be noted")
        elif sresp["kind"] == "no_content":
            ck.eq(kind, "no_content", f"{tag}: response.kind (spec {sresp['code']} has no body)")
            ck.eq(rschema, None, f"{tag}: response.schema")
        else:
            ck.eq(kind, sresp["kind"], f"{tag}: response.kind vs spec {sresp['code']}")
            ck.eq(rschema, sresp["schema"], f"{tag}: response.schema vs spec {sresp['code']}")
            if sresp.get("alt"):
                ck.eq([resp.get("altSchema")], sresp["alt"], f"{tag}: response.altSchema (spec oneOf)")
        if kind == "no_content":
            ck.check(method.startswith("delete") or method == "denyUser", f"{tag}: only delete* and denyUser return nothing")
        if verb == "DELETE":
            want = "single" if key in DELETE_WITH_BODY else "no_content"
            ck.eq(kind, want, f"{tag}: DELETE response kind")
        if kind in ("single", "paginated", "list"):
            ck.check(model is not None, f"{tag}: response.model missing")
        if kind == "bytes":
            ck.eq(resp.get("accept"), "application/zip", f"{tag}: bytes response Accept")

        spec_params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        has_page_params = "limit" in spec_params and "offset" in spec_params
        if kind == "paginated":
            paginated_keys.append((verb, path))
            ck.check(has_page_params, f"{tag}: paginated but the spec has no limit/offset")
            if ck.check(isinstance(pag, dict), f"{tag}: paginated entry needs a pagination block"):
                lim = spec_params.get("limit", {}).get("schema", {})
                want_max = 1000 if (verb, path) in MAX_1000_LISTS else 100
                ck.eq(pag.get("maxLimit"), want_max, f"{tag}: pagination.maxLimit (§A8)")
                ck.eq(pag.get("maxLimit"), int(lim.get("maximum", -1)), f"{tag}: pagination.maxLimit vs spec limit maximum")
                ck.eq(pag.get("defaultLimit"), 10, f"{tag}: pagination.defaultLimit")
                ck.eq(pag.get("defaultLimit"), lim.get("default"), f"{tag}: pagination.defaultLimit vs spec")
                ck.eq(pag.get("iterLimit"), want_max, f"{tag}: pagination.iterLimit (§B10)")
                ck.eq(pag.get("iterLimitOverridable"), svc != "characterBlueprint", f"{tag}: pagination.iterLimitOverridable (§B10)")
                names = pag.get("names", {})
                ck.eq(sorted(names), ["iterAll", "listAll", "page"], f"{tag}: pagination.names keys")
                ck.eq(names.get("page"), method, f"{tag}: pagination.names.page is the entry's method")
                ck.check(re.match(r"^get[A-Z]?[A-Za-z]*Page$", method or "") is not None, f"{tag}: paged method must be getPage/get<X>Page")
                for k, prefix in (("listAll", "listAll"), ("iterAll", "iterAll")):
                    n = names.get(k, "")
                    ck.check(n.startswith(prefix) and CAMEL.match(n) is not None, f"{tag}: pagination.names.{k} {n!r}")
                js_methods[svc] += [names.get("listAll"), names.get("iterAll")]
        else:
            ck.eq(pag, None, f"{tag}: pagination block on a non-paginated entry")
            ck.check("offset" not in spec_params, f"{tag}: spec has offset but the entry is not paginated")
        if kind == "list":
            list_keys.append((verb, path))

        # query
        q = e.get("query", [])
        qnames = [x.get("name") for x in q]
        ck.eq(len(set(qnames)), len(qnames), f"{tag}: query names unique")
        want_q = [n for n in spec_params if not (kind == "paginated" and n in ("limit", "offset"))]
        ck.eq(sorted(qnames), sorted(want_q), f"{tag}: query parameters vs spec")
        for x in q:
            name = x.get("name")
            qtag = f"{tag}: query {name!r}"
            sp = spec_params.get(name)
            if sp is None:
                continue  # reported above
            # One naming rule: a filter is API data, so JS callers use the API's own name.
            ck.check("js" not in x, f"{qtag} has a JS rename ({x.get('js')!r}): filters keep the API's name")
            ck.check(IDENTIFIER_NAME.match(name or "") is not None, f"{qtag} is not a usable property name")
            t, enum = spec_query_type(sp["schema"], schemas)
            ck.check(x.get("type") in QUERY_TYPES, f"{qtag} type {x.get('type')!r}")
            ck.eq(x.get("type"), t, f"{qtag} type vs spec")
            ck.eq(x.get("enum"), enum, f"{qtag} enum vs spec")
            ck.eq(x.get("required"), bool(sp.get("required")), f"{qtag} required vs spec")
            if t == "string[]":
                want_style = "comma" if (svc, method, name) in COMMA_QUERY else "repeat"
                ck.eq(x.get("style"), want_style, f"{qtag} style (§B2)")
                if x.get("style") == "comma":
                    seen_comma.add((svc, method, name))
            else:
                ck.check("style" not in x, f"{qtag} style on a scalar")
            if x.get("alwaysSend"):
                seen_always_q[(svc, method, name)] = x.get("default")
                ck.check("default" in x, f"{qtag} alwaysSend needs a default")
            if x.get("sendOnlyIfTrue"):
                seen_only_true.add((svc, method, name))
                ck.eq(x.get("type"), "boolean", f"{qtag} sendOnlyIfTrue on a non-boolean")
                ck.eq(x.get("default"), False, f"{qtag} sendOnlyIfTrue default")
            if "default" in x and "default" in unwrap(sp["schema"]):
                ck.eq(x["default"], unwrap(sp["schema"])["default"], f"{qtag} default vs spec")
            if "source" in x:
                ck.eq(x["source"], "query", f"{qtag} source")
                seen_source.add((svc, method, name))

        # body
        body = e.get("body")
        rb = op.get("requestBody")
        if rb is None:
            if verb in ("POST", "PUT", "PATCH"):
                ck.eq(body, {"schema": None, "kind": "none", "required": []}, f"{tag}: body of a body-less {verb}")
                seen_no_body.add(key)
            else:
                ck.eq(body, None, f"{tag}: body of a {verb} without a requestBody")
        elif ck.check(isinstance(body, dict), f"{tag}: body missing (spec has a requestBody)"):
            bkind = body.get("kind")
            ck.check(bkind in BODY_KINDS, f"{tag}: body.kind {bkind!r}")
            content = rb.get("content", {})
            bschema = body.get("schema")
            ck.check(bschema is None or bschema in schemas, f"{tag}: body.schema {bschema!r} not in components.schemas")
            if "multipart/form-data" in content:
                ck.eq(bkind, "multipart", f"{tag}: body.kind (spec multipart)")
                ck.eq(bschema, None, f"{tag}: multipart body.schema")
                props = content["multipart/form-data"].get("schema", {}).get("properties", {})
                ck.eq(sorted(props), [MULTIPART_FIELD_SPEC], f"{tag}: spec multipart fields (allow-list)")
                ck.eq(body.get("fileField"), MULTIPART_FIELD_WIRE, f"{tag}: multipart file field (§A9)")
                ck.eq(body.get("required"), [MULTIPART_FIELD_WIRE], f"{tag}: multipart required")
                ck.eq(body.get("args"), ["filename", "content", "contentType"], f"{tag}: upload args")
                ck.check(f"`{MULTIPART_FIELD_SPEC}`" in notes and f"`{MULTIPART_FIELD_WIRE}`" in notes, f"{tag}: multipart field rename must be noted")
                ck.check(method.startswith("upload"), f"{tag}: multipart method should be upload*")
            else:
                sch = content.get("application/json", {}).get("schema", {})
                if sch.get("type") == "array":
                    want_kind, want_schema = "json-array", ref_name(sch.get("items", {}))
                    ck.check(isinstance(body.get("arrayArg"), dict), f"{tag}: json-array body needs arrayArg")
                else:
                    want_kind, want_schema = "json", ref_name(sch)
                ck.eq(bkind, want_kind, f"{tag}: body.kind vs spec")
                ck.eq(bschema, want_schema, f"{tag}: body.schema vs spec requestBody")
                target = schemas.get(bschema or "", {})
                ck.eq(body.get("required"), target.get("required", []), f"{tag}: body.required vs spec")
                props = target.get("properties", {})
                for f in body.get("keepNull", []):
                    ck.check(f in props, f"{tag}: keepNull field {f!r} not in {bschema}")
                if body.get("keepNull"):
                    seen_keep_null[key] = body["keepNull"]
                if body.get("noExclusions"):
                    seen_no_excl.add(key)
                for ba in body.get("bodyArgs", []):
                    ck.check(ba.get("field") in props, f"{tag}: bodyArgs field {ba.get('field')!r} not in {bschema}")
                    ck.check(CAMEL.match(ba.get("js", "")) is not None and ba.get("js") not in JS_RESERVED, f"{tag}: bodyArgs js {ba.get('js')!r}")
                    ck.eq(ba.get("js"), camel(ba.get("arg", "")), f"{tag}: bodyArgs js name")
                    if ba.get("alwaysSend"):
                        seen_always_b[(svc, method, ba["field"])] = ba.get("default")
                        dflt = props.get(ba["field"], {}).get("default")
                        ck.eq(ba.get("default"), dflt, f"{tag}: bodyArgs default vs spec")

        # variants (UserLookup only)
        variants = e.get("variants")
        if variants is not None:
            ck.eq(svc, "userLookup", f"{tag}: variants outside UserLookup")
            ck.eq(variants[0].get("method"), method, f"{tag}: first variant is the entry's method")
            for v in variants:
                vq = list(v.get("query", {}))
                ck.check(len(vq) == 1 and vq[0] in qnames, f"{tag}: variant {v.get('method')} query {vq}")
                ck.check(CAMEL.match(v.get("method", "")) is not None, f"{tag}: variant method {v.get('method')!r}")
                js_methods[svc].append(v.get("method"))
            js_methods[svc].remove(method)  # counted below
        js_methods[svc].append(method)

        # On-Behalf-Of
        obo = e.get("onBehalfOf", {})
        ck.eq(obo.get("service"), obo_svc, f"{tag}: onBehalfOf.service (§B11)")
        ck.eq(obo.get("server"), (verb, path) in spec_obo, f"{tag}: onBehalfOf.server vs spec header")
        if obo.get("server"):
            obo_true += 1
            ck.eq(obo_svc, "required", f"{tag}: server requires On-Behalf-Of but the service does not")

    # ---- global tallies
    ck.eq(obo_true, A4_COUNT, "entries with onBehalfOf.server true")
    for svc, names in js_methods.items():
        dup = [n for n, c in Counter(names).items() if c > 1]
        ck.check(not dup, f"service {svc}: duplicate JS method names {dup}")
    ck.eq(sum(len(v) for v in js_methods.values()), TOTAL_JS_METHODS, "total JS methods (§B11)")
    dup_routes = [r for r, c in Counter(routes).items() if c > 1]
    ck.check(not dup_routes, f"duplicate route names {dup_routes}")
    ck.eq(len(paginated_keys), PAGINATED_COUNT, "paginated entries (§A8)")
    ck.eq(sorted(k for k in paginated_keys if k in MAX_1000_LISTS), sorted(MAX_1000_LISTS), "max-1000 lists (§A8)")
    ck.eq(sorted(list_keys), sorted(PLAIN_ARRAY_LISTS), "plain-array lists (§A8)")
    ck.eq(seen_keep_null, KEEP_NULL, "keepNull bodies (§B2)")
    ck.eq(sorted(seen_no_excl), sorted(NO_EXCLUSIONS), "noExclusions bodies (§B2)")
    ck.eq(sorted(seen_no_body), sorted(NO_BODY_POSTS), "body-less POSTs (§B12)")
    ck.eq(seen_always_q, ALWAYS_SEND_QUERY, "always-sent query parameters (§B12/§B16)")
    ck.eq(sorted(seen_only_true), sorted(SEND_ONLY_IF_TRUE), "send-only-if-true flags (§B12)")
    ck.eq(sorted(seen_comma), sorted(COMMA_QUERY), "comma-joined arrays (§B2)")
    ck.eq(seen_always_b, ALWAYS_SEND_BODY, "always-sent body fields (§B12)")
    ck.eq(sorted(seen_source), sorted(QUERY_SOURCE), "query-sourced campaign_id (§B12)")

    constrained = check_constraints(ck, entries, schemas)

    if ck.failures:
        for f in ck.failures:
            print("FAIL", f)
        print(f"{ck.passed} passed, {len(ck.failures)} failed")
        return 1
    print(f"endpoints.json OK: {len(entries)} operations, {len(SERVICES)} services, "
          f"{sum(len(v) for v in js_methods.values())} JS methods, {len(paginated_keys)} paginated, "
          f"{obo_true} need On-Behalf-Of, {constrained} constrained request fields")
    print(f"{ck.passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
