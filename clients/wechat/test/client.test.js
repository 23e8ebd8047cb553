'use strict';
// Unit tests (no network) of the client state machine against an in-memory Pomelo server.
const { test, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const pomelo = require('..');
const { createFakePomelo } = require('../testing/fake-pomelo');
const { sleep, nextEvent, recorder, track, closeTracked, finish } = require('../testing/helpers');

const FAST = { initialDelay: 20, maxDelay: 80, factor: 2, jitter: 0.5 };
const ECHO = 'connector.entryHandler.echo';

function setup(serverOpts = {}, clientOpts = {}) {
  const server = createFakePomelo(serverOpts);
  const client = track(pomelo.createClient(Object.assign({ wx: server.wx, reconnect: FAST, requestTimeout: 1000 }, clientOpts)));
  return { server, client };
}

afterEach(closeTracked);
after(finish);

test('handshake: sys.type/version and user data, ack before any data, heartbeat interval from the server', async () => {
  const { server, client } = setup({ user: { motd: 'hi' }, heartbeat: 10 });
  const user = await client.init({ url: 'wss://game.example.com/ws/3051/', user: { token: 't' } });
  assert.deepEqual(user, { motd: 'hi' });
  const s = server.last();
  assert.equal(s.url, 'wss://game.example.com/ws/3051/');
  assert.deepEqual(s.handshake, { sys: { type: 'wx-websocket', version: pomelo.VERSION }, user: { token: 't' } });
  assert.equal(s.options.tcpNoDelay, true);
  assert.deepEqual(await client.request(ECHO, { a: 1 }), { code: 200, msg: { a: 1 } });
  assert.deepEqual(s.received.map((p) => p.type), [1, 2, 4]);
  assert.equal(client.conn.heartbeat, 10000);
  assert.deepEqual(server.violations, []);
  await client.disconnect();
});

test('requests: concurrent ids, per-request timeout, late answers ignored, notify', async () => {
  let slowReply = null;
  const { server, client } = setup({
    routes: {
      'a.b.slow': (body, s, m) => { slowReply = () => s.send(4, require('pomelo-protocol').Message.encode(m.id, 2, 0, null, Buffer.from('{"late":1}'))); },
      'a.b.note': () => undefined,
    },
  });
  await client.init({ url: 'ws://x/' });
  const rs = await Promise.all([1, 2, 3, 4, 5].map((n) => client.request(ECHO, { n })));
  assert.deepEqual(rs.map((r) => r.msg.n), [1, 2, 3, 4, 5]);
  const t0 = Date.now();
  await assert.rejects(client.request('a.b.slow', {}, { timeout: 60 }), { code: 'TIMEOUT', route: 'a.b.slow' });
  assert.ok(Date.now() - t0 >= 55);
  slowReply(); // the answer after the timeout is dropped quietly
  await sleep(10);
  await client.notify('a.b.note', { x: 1 });
  await sleep(10);
  const notes = server.last().pending.filter((m) => m.route === 'a.b.note');
  assert.equal(notes.length, 1);
  assert.equal(notes[0].type, 1);
  assert.deepEqual(notes[0].body, { x: 1 });
  await assert.rejects(client.request('', {}), { code: 'ENCODE' });
  await client.disconnect();
  await assert.rejects(client.notify('a.b.note', {}), { code: 'NOT_CONNECTED' });
});

test('pushes, several packages in one frame, and a request pending at close is rejected', async () => {
  const { server, client } = setup({ routes: { 'a.b.never': () => undefined } });
  await client.init({ url: 'ws://x/' });
  const got = [];
  client.on('onChat', (m) => got.push(m));
  const { Package, Message } = require('pomelo-protocol');
  const push = (r, b) => Package.encode(4, Message.encode(0, 3, 0, r, Buffer.from(JSON.stringify(b))));
  server.last().sendRaw(Buffer.concat([Package.encode(3), push('onChat', { n: 1 }), push('onChat', { n: 2 })]));
  await sleep(20);
  assert.deepEqual(got, [{ n: 1 }, { n: 2 }]);
  const pending = client.request('a.b.never', {});
  await sleep(10);
  server.last().close(4000, 'maintenance');
  await assert.rejects(pending, (e) => e.code === 'CLOSED' && e.close.code === 4000);
  await client.disconnect();
});

test('close reasons: server close code, reconnect with backoff, reconnect event', async () => {
  const { server, client } = setup({}, { random: () => 0 });
  const ev = recorder(client, ['close', 'reconnecting', 'reconnect']);
  await client.init({ url: 'ws://x/' });
  server.accept = false;
  server.last().close(4001, 'bye');
  await sleep(20 + 40 + 80 + 30); // three failed attempts
  const info = ev.of('close')[0].arg;
  assert.deepEqual(info, { cause: 'remote', code: 4001, reason: 'bye', url: 'ws://x/', willReconnect: true });
  assert.deepEqual(ev.of('reconnecting').slice(0, 3).map((e) => e.arg.delay), [20, 40, 80]);
  server.accept = true;
  const back = await nextEvent(client, 'reconnect', 1000);
  assert.equal(back.url, 'ws://x/');
  assert.equal(client.state, 'open');
  assert.deepEqual(await client.request(ECHO, { r: 1 }), { code: 200, msg: { r: 1 } });
  assert.equal(ev.of('close').length, 1, 'failed attempts are not close events');
  await client.disconnect();
});

test('an abnormal drop (error, then 1006) reconnects; maxAttempts ends in reconnect_failed', async () => {
  const { server, client } = setup({}, { reconnect: Object.assign({}, FAST, { maxAttempts: 2 }) });
  const ev = recorder(client, ['close', 'error', 'reconnect_failed']);
  await client.init({ url: 'ws://x/' });
  server.accept = false;
  server.last().drop();
  const failed = await nextEvent(client, 'reconnect_failed', 2000);
  assert.equal(failed.attempts, 2);
  const info = ev.of('close')[0].arg;
  assert.equal(info.code, 1006);
  assert.equal(info.cause, 'remote');
  assert.equal(ev.of('error')[0].arg.code, 'SOCKET_ERROR');
  assert.equal(client.state, 'closed');
});

test('kick: kick event, close cause kick, never a reconnect', async () => {
  const { server, client } = setup();
  const ev = recorder(client, ['kick', 'close', 'reconnecting']);
  await client.init({ url: 'ws://x/' });
  server.last().kick('duplicate login');
  await sleep(5);
  server.last().close(1000, '');
  await sleep(200);
  assert.deepEqual(ev.of('kick')[0].arg, { reason: 'duplicate login' });
  const info = ev.of('close')[0].arg;
  assert.equal(info.cause, 'kick');
  assert.equal(info.code, 1000);
  assert.deepEqual(info.kick, { reason: 'duplicate login' });
  assert.equal(info.willReconnect, false);
  assert.equal(ev.of('reconnecting').length, 0);
  assert.equal(server.connects.length, 1);
});

test('a kick during a reconnect attempt (at entry) also stops reconnecting', async () => {
  let kickNext = false;
  const { server, client } = setup({
    routes: { 'connector.entryHandler.entry': (b, s) => {
      if (!kickNext) return { code: 200 };
      setImmediate(() => { s.kick('kicked at entry'); setImmediate(() => s.close(1000, '')); });
      return undefined;
    } },
  }, { urlTemplate: 'ws://c/{port}/' });
  const ev = recorder(client, ['kick', 'close', 'reconnecting', 'reconnect_failed']);
  await client.connectViaGate({ gateUrl: 'ws://gate/', query: { uid: 1 } });
  kickNext = true;
  server.last().close(1001, 'restart');
  await sleep(400);
  assert.deepEqual(ev.of('close').map((e) => e.arg.cause), ['remote', 'kick']);
  assert.equal(ev.of('kick').length, 1);
  assert.equal(ev.of('reconnecting').length, 1);
  assert.equal(client.state, 'closed');
  assert.equal(server.connects.length, 4, 'gate, connector, then one attempt: gate, connector');
});

test('heartbeat: kept alive while the server answers, timeout at 2x the interval when it is silent', async () => {
  const { server, client } = setup({ heartbeat: 0.1 });
  const ev = recorder(client, ['close', 'reconnecting']);
  await client.init({ url: 'ws://x/' });
  await sleep(450);
  assert.equal(ev.of('close').length, 0);
  assert.ok(server.last().received.filter((p) => p.type === 3).length >= 3, 'client sends heartbeats');
  server.answerHeartbeats = false;
  const t0 = Date.now();
  const info = await nextEvent(client, 'close', 1000);
  const waited = Date.now() - t0;
  assert.equal(info.cause, 'heartbeat-timeout');
  assert.equal(info.willReconnect, true);
  assert.ok(waited >= 100 && waited <= 400, `closed after ${waited} ms`);
  assert.deepEqual(server.sessions[0].closedWith, { code: 1000, reason: 'heartbeat timeout' });
  await client.disconnect();
});

test('handshake failures: timeout, refused connection, refused version; no reconnect before the first success', async () => {
  const a = setup({}, { handshakeTimeout: 80 });
  a.server.accept = 'hang';
  await assert.rejects(a.client.init({ url: 'ws://x/' }), (e) => e.code === 'HANDSHAKE_TIMEOUT' && e.close.cause === 'handshake-timeout');
  a.server.accept = false;
  await assert.rejects(a.client.init({ url: 'ws://x/' }), (e) => e.code === 'SOCKET_ERROR' && e.close.cause === 'error');
  const b = setup({ handshakeCode: 501 });
  await assert.rejects(b.client.init({ url: 'ws://x/' }), (e) => e.code === 'HANDSHAKE_REFUSED' && e.handshakeCode === 501 && e.permanent);
  await sleep(150);
  assert.equal(a.server.connects.length, 2);
  assert.equal(b.server.connects.length, 1);
  assert.equal(a.client.state, 'closed');
});

test('connectViaGate: queries the gate, maps {port} into the template, calls entry, closes the gate socket', async () => {
  const { server, client } = setup({}, { urlTemplate: 'wss://game.example.com/ws/{port}/' });
  const r = await client.connectViaGate({ gateUrl: 'wss://game.example.com/ws/3014/', query: { uid: 'u9' } });
  assert.deepEqual(server.connects, ['wss://game.example.com/ws/3014/', 'wss://game.example.com/ws/3051/']);
  assert.equal(r.url, 'wss://game.example.com/ws/3051/');
  assert.deepEqual([r.host, r.port], ['10.0.0.7', 3051]);
  assert.deepEqual(r.entry, { code: 200, uid: 'u9' });
  assert.deepEqual(server.sessions[0].closedWith, { code: 1000, reason: 'gate done' });
  const gate = server.sessions[0].pending[0];
  assert.deepEqual([gate.route, gate.body], ['gate.gateHandler.queryEntry', { uid: 'u9' }]);
  await client.disconnect();
});

test('connectViaGate: custom routes and entry message; a gate error is GATE_REFUSED', async () => {
  const { server, client } = setup({
    routes: { 'gate.h.q': () => ({ code: 200, host: 'h', port: 4000 }), 'conn.h.login': (b) => ({ code: 200, got: b }) },
  });
  const r = await client.connectViaGate({
    gateUrl: 'ws://gate/', gateRoute: 'gate.h.q', query: { uid: 1 }, urlTemplate: (a) => `ws://${a.host}/p${a.port}`,
    entry: { route: 'conn.h.login', msg: { token: 'abc' } },
  });
  assert.equal(r.url, 'ws://h/p4000');
  assert.deepEqual(r.entry, { code: 200, got: { token: 'abc' } });
  await client.disconnect();
  server.routes['gate.h.q'] = () => ({ code: 500 });
  await assert.rejects(client.connectViaGate({ gateUrl: 'ws://gate/', gateRoute: 'gate.h.q', urlTemplate: 'ws://{port}' }),
    (e) => e.code === 'GATE_REFUSED' && e.answer.code === 500);
  await assert.rejects(client.connectViaGate({}), { code: 'BAD_ARGUMENT' });
});

test('dictionary: request routes go out as codes, pushes come in as codes', async () => {
  const { server, client } = setup({ useDict: [ECHO, 'onPush'] });
  await client.init({ url: 'ws://x/' });
  assert.deepEqual(await client.request(ECHO, { d: 1 }), { code: 200, msg: { d: 1 } });
  await client.request('not.in.dict', {}, { timeout: 30 }).catch(() => {});
  const [m1, m2] = server.last().pending;
  assert.deepEqual([m1.compressRoute, m1.route], [1, ECHO]);
  assert.deepEqual([m2.compressRoute, m2.route], [0, 'not.in.dict']);
  const pushed = nextEvent(client, 'onPush', 500);
  server.last().push('onPush', { p: 1 });
  assert.deepEqual(await pushed, { p: 1 });
  // An unknown route code is a protocol error: 'error' event, then close with cause 'protocol-error'.
  const { Package, Message } = require('pomelo-protocol');
  const err = nextEvent(client, 'error', 500);
  const closed = nextEvent(client, 'close', 500);
  server.last().sendRaw(Package.encode(4, Message.encode(0, 3, 1, 999, Buffer.from('{}'))));
  assert.match((await err).message, /unknown route code 999/);
  assert.equal((await closed).cause, 'protocol-error');
  await client.disconnect();
});

const PROTOS = {
  client: { [ECHO]: { 'optional string text': 1 }, 'x.y.req': { 'required uInt32 n': 1 } },
  server: { [ECHO]: { 'required uInt32 code': 1, 'message EchoMsg': { 'optional string text': 1 }, 'optional EchoMsg msg': 2 },
    onScore: { 'required sInt32 delta': 1 } },
};

test('protobuf: bodies follow the handshake protos; other routes stay JSON', async () => {
  const { server, client } = setup({ protos: PROTOS, routes: { 'x.y.json': (b) => ({ code: 200, b }) } });
  await client.init({ url: 'ws://x/' });
  assert.deepEqual(await client.request(ECHO, { text: 'pb 😀' }), { code: 200, msg: { text: 'pb 😀' } });
  assert.deepEqual(await client.request('x.y.json', { j: 1 }), { code: 200, b: { j: 1 } });
  const pushed = nextEvent(client, 'onScore', 500);
  server.last().push('onScore', { delta: -12 });
  assert.deepEqual(await pushed, { delta: -12 });
  await assert.rejects(client.request('x.y.req', {}), { code: 'ENCODE', message: 'missing required field x.y.req.n' });
  await client.disconnect();
});

test('protobuf refusal: protobuf:false, or protos that are not pomelo-protobuf, fail the handshake and send no data', async () => {
  const a = setup({ protos: PROTOS }, { protobuf: false });
  await assert.rejects(a.client.init({ url: 'ws://x/' }), (e) => e.code === 'PROTOBUF_UNSUPPORTED' && e.permanent);
  assert.deepEqual(a.server.last().received.map((p) => p.type), [1], 'no ack, no data');
  const decodeIO = { version: 1, server: { nested: { Echo: { fields: {} } } }, client: { nested: {} } };
  const b = setup({ rawProtos: decodeIO });
  await assert.rejects(b.client.init({ url: 'ws://x/' }), (e) => e.code === 'PROTOBUF_UNSUPPORTED' && /decodeIO/.test(e.message));
});

test('disconnect(): during reconnect backoff, during a handshake, and twice', async () => {
  const { server, client } = setup();
  const ev = recorder(client, ['reconnecting', 'reconnect', 'close']);
  await client.init({ url: 'ws://x/' });
  server.accept = false;
  server.last().close(1001, 'going away');
  await nextEvent(client, 'reconnecting', 500);
  await client.disconnect();
  await sleep(200);
  assert.equal(ev.of('reconnecting').length, 1);
  assert.equal(client.state, 'closed');
  server.accept = 'hang';
  const opening = client.init({ url: 'ws://x/' });
  await sleep(10);
  await client.disconnect();
  await assert.rejects(opening, (e) => e.close.cause === 'app');
  assert.equal(await client.disconnect(), null);
});

test('disconnect() from inside a reconnecting or a close handler stops reconnecting', async () => {
  for (const event of ['reconnecting', 'close']) {
    const { server, client } = setup();
    await client.init({ url: 'ws://x/' });
    client.on(event, () => { client.disconnect(); });
    server.last().close(1001, 'going away');
    await sleep(250);
    assert.equal(server.connects.length, 1, event);
    assert.equal(client.state, 'closed', event);
  }
});

test('wx: taken from the global when not injected; a clear error when there is none', async () => {
  const server = createFakePomelo();
  await assert.rejects(pomelo.createClient().init({ url: 'ws://x/' }), { code: 'NO_WX' });
  globalThis.wx = server.wx;
  try {
    await pomelo.init({ url: 'ws://x/' }); // the default client
    assert.deepEqual(await pomelo.request(ECHO, { g: 1 }), { code: 200, msg: { g: 1 } });
    assert.equal(pomelo.on('x', () => {}), pomelo);
    await pomelo.disconnect();
  } finally {
    delete globalThis.wx;
  }
});
