'use strict';
// Unit tests (no network): packages, messages, UTF-8, protobuf and backoff, checked against the
// reference implementations pomelo-protocol and pomelo-protobuf; plus static checks of index.js.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const acorn = require('acorn');
const { Package, Message } = require('pomelo-protocol');
const refpb = require('pomelo-protobuf');
const { codec } = require('..');

const LIB = path.join(__dirname, '..', 'index.js');
const hex = (b) => Buffer.from(b).toString('hex');

test('package: encode matches pomelo-protocol, decode handles several packages in one frame', () => {
  for (const body of [undefined, Buffer.from('{"a":1}'), Buffer.alloc(70000, 7)]) {
    for (const type of [1, 2, 3, 4, 5]) {
      const ours = codec.encodePackage(type, body && new Uint8Array(body));
      assert.equal(hex(ours), hex(Package.encode(type, body)));
      const [p] = codec.decodePackages(ours.buffer);
      assert.equal(p.type, type);
      assert.equal(hex(p.body), body ? hex(body) : '');
    }
  }
  const frame = Buffer.concat([Package.encode(3), Package.encode(4, Buffer.from('xy')), Package.encode(5, Buffer.from('{}'))]);
  const list = codec.decodePackages(new Uint8Array(frame).buffer);
  assert.deepEqual(list.map((p) => p.type), [3, 4, 5]);
  assert.equal(Buffer.from(list[1].body).toString(), 'xy');
  assert.throws(() => codec.decodePackages(new Uint8Array([4, 0, 0, 9, 1]).buffer), { code: 'DECODE' });
  assert.throws(() => codec.decodePackages('text'), { code: 'DECODE' });
  assert.throws(() => codec.encodePackage(4, { length: 0x1000000 }), { code: 'ENCODE' });
});

test('message: encode matches pomelo-protocol for requests, notifies, compressed routes and large ids', () => {
  const body = Buffer.from(JSON.stringify({ hello: 'wörld' }));
  for (const id of [1, 127, 128, 300, 16383, 16384, 2097152, 0x7fffffff]) {
    const ours = codec.encodeMessage(id, 0, 'connector.entryHandler.echo', new Uint8Array(body));
    assert.equal(hex(ours), hex(Message.encode(id, 0, 0, 'connector.entryHandler.echo', body)), `id ${id}`);
    const back = codec.decodeMessage(ours);
    assert.equal(back.id, id);
    assert.equal(back.route, 'connector.entryHandler.echo');
  }
  assert.equal(hex(codec.encodeMessage(7, 0, 0x1234, new Uint8Array(body))), hex(Message.encode(7, 0, 1, 0x1234, body)));
  assert.equal(hex(codec.encodeMessage(0, 1, 'chat.chatHandler.send', new Uint8Array(body))),
    hex(Message.encode(0, 1, 0, 'chat.chatHandler.send', body)));
  assert.equal(hex(codec.encodeMessage(0, 1, 3, new Uint8Array(0))), hex(Message.encode(0, 1, 1, 3, Buffer.alloc(0))));
  assert.throws(() => codec.encodeMessage(1, 0, 'x'.repeat(256), new Uint8Array(0)), { code: 'ENCODE' });
});

test('message: decodes pomelo-protocol responses and pushes (text and dictionary routes)', () => {
  const body = Buffer.from('{"ok":true}');
  const res = codec.decodeMessage(new Uint8Array(Message.encode(4242, 2, 0, null, body)));
  assert.equal(res.type, 2);
  assert.equal(res.id, 4242);
  assert.equal(Buffer.from(res.body).toString(), '{"ok":true}');
  const push = codec.decodeMessage(new Uint8Array(Message.encode(0, 3, 0, 'onChat 聊天', body)));
  assert.deepEqual([push.type, push.compressRoute, push.route], [3, 0, 'onChat 聊天']);
  const cpush = codec.decodeMessage(new Uint8Array(Message.encode(0, 3, 1, 0x0102, body)));
  assert.deepEqual([cpush.type, cpush.compressRoute, cpush.route], [3, 1, 0x0102]);
  assert.throws(() => codec.decodeMessage(new Uint8Array([0x16, 0, 1])), /gzip/);
});

test('UTF-8: matches Node Buffer, including astral characters and lone surrogates', () => {
  const samples = ['', 'ascii', 'é ß ø', '中文 日本語 한국어', '😀🎮👍🏽', 'mixed é😀中\u0000\u007f\u0080\u07ff\u0800\uffff', 'lone \ud800 x \udc00'];
  for (const s of samples) {
    const ours = Buffer.from(codec.utf8Encode(s));
    assert.equal(ours.toString('hex'), Buffer.from(s).toString('hex'), JSON.stringify(s));
    assert.equal(codec.utf8Decode(new Uint8Array(Buffer.from(s))), Buffer.from(s).toString());
  }
  const long = '长'.repeat(20000) + '😀'.repeat(5000);
  assert.equal(codec.utf8Decode(new Uint8Array(Buffer.from(long))), long);
});

// A proto with every type pomelo-protobuf supports, nested and top-level messages.
const PROTOS = {
  'area.playerHandler.move': {
    'required uInt32 id': 1,
    'optional sInt32 dx': 2,
    'optional int32 dy': 3,
    'optional float speed': 4,
    'optional double at': 5,
    'optional string name': 6,
    // pomelo-protobuf looks nested types up in the enclosing message, then at the top level
    'message Pos': { 'required sInt32 x': 1, 'required sInt32 y': 2, 'optional Tag tag': 3, 'message Tag': { 'optional string label': 1 } },
    'optional Pos to': 7,
    'repeated uInt32 ids': 8,
    'repeated double weights': 9,
    'repeated string names': 10,
    'repeated Pos path': 11,
    'repeated Item items': 12,
    'optional Item best': 13,
  },
  'message Item': { 'required uInt32 kind': 1, 'optional string label': 2, 'repeated sInt32 deltas': 3 },
  'onMove': { 'required uInt32 id': 1, 'optional string name': 2 },
};
const SAMPLE = {
  id: 300,
  dx: -70000,
  dy: -1,
  speed: 1.5,
  at: 1712345678.125,
  name: '玩家 😀',
  to: { x: -5, y: 1 << 20, tag: { label: 'here' } },
  ids: [0, 1, 128, 4294967295],
  weights: [0.25, -2.5e10],
  names: ['a', '', 'ç'],
  path: [{ x: 1, y: -1 }, { x: 0, y: 0 }],
  items: [{ kind: 2, label: 'sword', deltas: [-1, 0, 1] }, { kind: 3 }],
  best: { kind: 9, deltas: [] },
};

test('protobuf: byte-identical to pomelo-protobuf, and decodes its output', () => {
  const parsed = refpb.parse(PROTOS);
  const roundTripped = JSON.parse(JSON.stringify(parsed)); // what the handshake delivers
  refpb.init({ encoderProtos: parsed, decoderProtos: parsed });
  const route = 'area.playerHandler.move';
  const ours = codec.pbEncode(roundTripped, route, SAMPLE);
  const ref = refpb.encode(route, SAMPLE);
  assert.equal(hex(ours), hex(ref));
  const decoded = codec.pbDecode(roundTripped, route, new Uint8Array(ref));
  const expect = JSON.parse(JSON.stringify(refpb.decode(route, ref)));
  assert.deepEqual(JSON.parse(JSON.stringify(decoded)), expect);
  assert.equal(decoded.name, SAMPLE.name);
  assert.deepEqual(decoded.to, SAMPLE.to);
  assert.deepEqual(decoded.ids, SAMPLE.ids);
  assert.equal(decoded.speed, 1.5);
  assert.equal(decoded.dx, -70000);
  assert.deepEqual(refpb.decode(route, Buffer.from(ours)), refpb.decode(route, ref));
});

test('protobuf: required fields, unknown fields and unsupported types', () => {
  const parsed = JSON.parse(JSON.stringify(refpb.parse(PROTOS)));
  assert.throws(() => codec.pbEncode(parsed, 'onMove', { name: 'x' }), /required field onMove.id/);
  assert.throws(() => codec.pbEncode(parsed, 'onMove', { id: -1 }), { code: 'ENCODE' });
  // A newer server may add fields: they are skipped (varint, 64-bit, length-delimited, 32-bit).
  const extra = Buffer.from([0x08, 0x05, 0x38, 0x96, 0x01, 0x41, 1, 2, 3, 4, 5, 6, 7, 8, 0x4a, 2, 0x68, 0x69, 0x55, 1, 2, 3, 4, 0x12, 1, 0x7a]);
  assert.deepEqual(codec.pbDecode(parsed, 'onMove', new Uint8Array(extra)), { id: 5, name: 'z' });
  const bad = JSON.parse(JSON.stringify(refpb.parse({ r: { 'optional bool flag': 1, 'optional uInt64 big': 2 } })));
  assert.throws(() => codec.pbEncode(bad, 'r', { flag: true }), /unsupported type bool/);
  assert.throws(() => codec.pbEncode(bad, 'r', { big: 1 }), /unsupported type uInt64/);
  // A type that is neither nested in the enclosing message nor top-level: a clear error.
  const scoped = JSON.parse(JSON.stringify(refpb.parse({ r: { 'message A': { 'optional B b': 1 }, 'message B': {}, 'optional A a': 1 } })));
  assert.throws(() => codec.pbEncode(scoped, 'r', { a: { b: {} } }), /unsupported type B/);
});

test('backoff: exponential, capped, jitter within bounds', () => {
  const o = { initialDelay: 1000, maxDelay: 30000, factor: 2, jitter: 0.5 };
  for (let n = 0; n < 40; n++) {
    const cap = Math.min(o.maxDelay, o.initialDelay * 2 ** n);
    assert.equal(codec.backoffDelay(n, o, () => 0), cap, 'no jitter at random() = 0');
    assert.equal(codec.backoffDelay(n, o, () => 0.999999), Math.round(cap * (1 - 0.5 * 0.999999)));
    for (let i = 0; i < 50; i++) {
      const d = codec.backoffDelay(n, o);
      assert.ok(d >= cap * (1 - o.jitter) - 0.5 && d <= cap && d <= o.maxDelay, `attempt ${n}: ${d}`);
    }
  }
  assert.equal(codec.backoffDelay(3, { initialDelay: 100, maxDelay: 500, factor: 3, jitter: 0 }), 500);
  assert.equal(codec.backoffDelay(1000, o, () => 0), 30000, 'huge attempt numbers stay capped');
});

test('gate answer to gateway URL: {port}, {host}, {serverId} and {serverType} placeholders, or a function', () => {
  const a = { code: 200, host: '10.0.0.7', port: 3051 };
  assert.equal(codec.mapEntryUrl('wss://game.example.com/ws/{port}/', a), 'wss://game.example.com/ws/3051/');
  assert.equal(codec.mapEntryUrl('ws://{host}:{port}/', a), 'ws://10.0.0.7:3051/');
  // The gateway's discovered routes: the gate answers with the connector's serverId (and serverType).
  const d = Object.assign({ serverId: 'connector-server-2', serverType: 'connector' }, a);
  assert.equal(codec.mapEntryUrl('wss://g.example.com/s/{serverId}/', d), 'wss://g.example.com/s/connector-server-2/');
  assert.equal(codec.mapEntryUrl('wss://g.example.com/t/{serverType}/{unknown}', d), 'wss://g.example.com/t/connector/{unknown}');
  assert.equal(codec.mapEntryUrl((x) => `wss://g.example.com/c${x.port - 3050}/`, a), 'wss://g.example.com/c1/');
  assert.throws(() => codec.mapEntryUrl(null, a), { code: 'BAD_ARGUMENT' });
});

test('index.js: ES5, CommonJS, no Node.js APIs, at most 25 KB', () => {
  const src = fs.readFileSync(LIB, 'utf8');
  assert.ok(Buffer.byteLength(src) <= 25000, `index.js is ${Buffer.byteLength(src)} bytes`);
  const ast = acorn.parse(src, { ecmaVersion: 5, sourceType: 'script' }); // throws on ES2015+ syntax
  // Every free identifier must be a global that the mini-program runtime has.
  const declared = new Set();
  const used = new Set();
  (function walk(node, parent, key) {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'Identifier') {
      const isProp = parent && ((parent.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
        (parent.type === 'Property' && key === 'key'));
      const isDecl = parent && ((parent.type === 'VariableDeclarator' && key === 'id') || key === 'params' ||
        (/Function/.test(parent.type) && key === 'id') || (parent.type === 'CatchClause' && key === 'param'));
      if (isDecl) declared.add(node.name); else if (!isProp) used.add(node.name);
    }
    for (const k of Object.keys(node)) {
      const v = node[k];
      if (Array.isArray(v)) v.forEach((c) => walk(c, node, k)); else if (v && typeof v === 'object') walk(v, node, k);
    }
  })(ast);
  const allowed = new Set(['module', 'wx', 'console', 'setTimeout', 'clearTimeout', 'Promise', 'Date', 'Math', 'JSON',
    'Uint8Array', 'DataView', 'ArrayBuffer', 'String', 'Error', 'Infinity', 'undefined', 'arguments', 'Array', 'Object']);
  const free = [...used].filter((n) => !declared.has(n) && !allowed.has(n));
  assert.deepEqual(free, [], 'free identifiers beyond the mini-program globals');
  assert.ok(!/\brequire\s*\(/.test(src), 'no require(): zero runtime dependencies');
});
