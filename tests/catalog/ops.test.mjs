// The JS service layer's operation table, query encoding and path filling
// (pkg-template/dist/services/{ops,query}.js), with the cases of the Rust code they replace
// (the former src/catalog/op.rs and query.rs). Run: node --test tests/catalog/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { op, OP_COUNT, jsName } from '../../pkg-template/dist/services/ops.js';
import { encode, encodeComponent, fillPath, PathSegment } from '../../pkg-template/dist/services/query.js';
import { ENUMS } from '../../pkg-template/dist/services/catalog.js';

const all = () => Array.from({ length: OP_COUNT }, (_, i) => op(i));
const named = (name) => all().find((o) => o.name === name) ?? assert.fail(`no operation ${name}`);
const spec = (opName, wire) => named(opName).query.find((q) => q.wire === wire) ?? assert.fail(`${opName}: no ${wire}`);

test('every line parses', () => {
  assert.equal(OP_COUNT, 170);
  for (const o of all()) {
    assert.ok(o.path.startsWith('/api/v1/'), o.name);
    assert.equal(o.maxLimit !== undefined, o.response === 'paginated', o.name);
  }
  assert.equal(op(OP_COUNT), undefined);
});

test('reads the parts of an operation', () => {
  const o = named('characterTraits.changeValue');
  assert.equal(o.method, 'PUT');
  assert.deepEqual(o.args, [
    { kind: 'path', wire: 'character_trait_id', js: 'characterTraitId', enumeration: undefined },
    { kind: 'field', wire: 'target_value', js: 'newValue' },
    { kind: 'field', wire: 'currency', js: 'currency' },
  ]);
  assert.equal(o.onBehalfOf, 'required');
  const limit = spec('globalAdmin.tailLogs', 'limit');
  assert.deepEqual([limit.min, limit.max, limit.always, limit.default], [1, 500, true, '100']);
});

test('an enum path parameter names its enum', () => {
  const o = named('users.unlinkIdentity');
  assert.equal(o.args[1].kind, 'path');
  assert.equal(ENUMS[o.args[1].enumeration][0], 'IdentityProvider');
  assert.deepEqual(o.args[0], { kind: 'path', wire: 'user_id', js: 'userId', enumeration: undefined });
});

test('js names are camelCase', () => {
  assert.equal(jsName('werewolf_auspice_id'), 'werewolfAuspiceId');
  assert.equal(jsName('id'), 'id');
});

test('fills paths and refuses traversal', () => {
  const get = (v) => (n) => (n === 'user_id' ? v : undefined);
  assert.equal(fillPath('/a/{user_id}/b', get('x y/z')), '/a/x%20y%2Fz/b');
  for (const bad of ['', '.', '..']) {
    assert.throws(() => fillPath('/a/{user_id}', get(bad)), (e) => e instanceof PathSegment && e.segment === 'user_id');
  }
  assert.throws(() => fillPath('/a/{other_id}', get('x')), (e) => e.segment === 'other_id');
});

test('path segments are percent-encoded as RFC 3986 unreserved', () => {
  assert.equal(encodeComponent("a!b'c(d)e*f~g.h-i_j"), 'a%21b%27c%28d%29e%2Af~g.h-i_j');
  assert.equal(encodeComponent('Zoë'), 'Zo%C3%AB');
  assert.equal(encodeComponent('\uD800'), '%EF%BF%BD', 'a lone surrogate is sent as U+FFFD, not thrown');
});

test('include is repeated on get and comma-joined on audit logs', () => {
  assert.deepEqual(encode(spec('users.get', 'include'), ['notes', 'assets']), [['include', 'notes'], ['include', 'assets']]);
  const audit = spec('companies.getAuditLogPage', 'include');
  assert.throws(() => encode(audit, ['notes', 'assets']), /^Error: item must be one of request_details/);
  assert.deepEqual(encode(audit, ['request_details']), [['include', 'request_details']]);
  assert.deepEqual(encode(audit, [null, undefined]), [], 'nulls in a list are dropped');
});

test('defaults, bounds, booleans and enums', () => {
  const limit = spec('globalAdmin.tailLogs', 'limit');
  assert.deepEqual(encode(limit, undefined), [['limit', '100']]);
  assert.throws(() => encode(limit, 501), { message: 'must be an integer from 1 to 500, got 501' });
  assert.throws(() => encode(limit, 1.5), { message: 'must be an integer, got the number 1.5' });
  const temp = spec('characters.getPage', 'is_temporary');
  assert.deepEqual(encode(temp, undefined), [['is_temporary', 'false']]);
  const role = spec('users.getPage', 'user_role');
  assert.throws(() => encode(role, 'KING'), /ADMIN/);
  assert.deepEqual(encode(role, undefined), []);
  assert.deepEqual(encode(role, null), []);
  assert.throws(() => encode(role, 1), { message: 'must be a string, got the number 1' });
  assert.throws(() => encode(role, new Date(NaN)), { message: 'must be a string, got an invalid Date' });
  assert.throws(() => encode(role, {}), { message: 'must be a string, got object' });
});

test('required query parameters are required', () => {
  assert.throws(() => encode(spec('characterAutogen.generateCharacter', 'campaign_id'), undefined), { message: 'is required' });
});
