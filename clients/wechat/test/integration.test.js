'use strict';
// Integration tests: the library, unmodified, over a `ws`-based wx shim, THROUGH the gateway
// (PWX_URL_TEMPLATE) to real Pomelo 2.2.7 instances that these tests start on free ports.
const { test, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const pomelo = require('..');
const { createWx } = require('../testing/wx-ws');
const { startPomelo } = require('../testing/pomelo');
const { urlTemplate, urlFor, sleep, nextEvent, recorder, track, closeTracked, finish } = require('../testing/helpers');

const ECHO = 'connector.entryHandler.echo';
const RECONNECT = { initialDelay: 200, maxDelay: 1000, factor: 2, jitter: 0.5 };
const instances = {};

async function instance(name, opts) {
  if (!instances[name]) instances[name] = await startPomelo(opts);
  return instances[name];
}

afterEach(closeTracked);
after(async () => {
  await closeTracked();
  for (const k of Object.keys(instances)) await instances[k].kill().catch(() => {});
  await finish();
});

function newClient(extra = {}) {
  const wx = createWx();
  const client = pomelo.createClient(Object.assign({ wx, urlTemplate: urlTemplate(), reconnect: RECONNECT, requestTimeout: 5000 }, extra));
  track(client, wx);
  return { wx, client };
}

function viaGate(client, inst, uid) {
  return client.connectViaGate({ gateUrl: urlFor(inst.ports.gate), query: { uid } });
}

// Data packages (type 4) in recorded frames, decoded into messages.
function dataMessages(frames, url) {
  const out = [];
  for (const f of frames) {
    if (f.url !== url) continue;
    for (const p of pomelo.codec.decodePackages(f.bytes)) if (p.type === 4) out.push(pomelo.codec.decodeMessage(p.body));
  }
  return out;
}

test('connectViaGate through the gateway, then entry, echo, a push and a notify', { timeout: 60000 }, async () => {
  urlTemplate();
  const A = await instance('A', { heartbeat: 1 });
  const { wx, client } = newClient();
  const ev = recorder(client, ['close', 'reconnecting']);
  const r = await viaGate(client, A, 'alice');
  assert.equal(r.port, A.ports.connector);
  assert.equal(r.url, urlFor(A.ports.connector));
  assert.deepEqual(r.entry, { code: 200, msg: 'entered', uid: 'alice' });
  assert.deepEqual(wx.connects, [urlFor(A.ports.gate), urlFor(A.ports.connector)]);

  const msg = { text: 'héllo, 世界 😀', n: 42, nested: { list: [1, 2.5, -3], ok: true, none: null } };
  assert.deepEqual(await client.request(ECHO, msg), { code: 200, msg });

  const pushed = nextEvent(client, 'onPush', 5000);
  assert.deepEqual(await client.request('connector.entryHandler.push', { payload: 'p-1' }), { code: 200 });
  assert.deepEqual(await pushed, { payload: 'p-1' });

  const notified = nextEvent(client, 'onNotify', 5000);
  await client.notify('connector.entryHandler.notifyMe', { x: 1 });
  assert.deepEqual(await notified, { msg: { x: 1 } });

  // The application's own close: cause 'app', no reconnect.
  const info = await client.disconnect();
  assert.equal(info.cause, 'app');
  assert.equal(info.willReconnect, false);
  await sleep(RECONNECT.maxDelay + 300);
  assert.equal(ev.of('reconnecting').length, 0);
  assert.equal(wx.connects.length, 2);
  await assert.rejects(client.request(ECHO, {}), { code: 'NOT_CONNECTED' });
});

test('perMessageDeflate: the offer goes through the gateway to Pomelo, whose answer the client gets; large bodies echo intact', { timeout: 60000 }, async () => {
  const A = await instance('A', { heartbeat: 1 });
  const { wx, client } = newClient({ perMessageDeflate: true });
  await client.init({ url: urlFor(A.ports.connector) });
  const task = wx.tasks[wx.tasks.length - 1];
  assert.match(task.ws.extensions, /permessage-deflate/, 'extensions negotiated through the gateway');
  const state = { players: Array.from({ length: 100 }, (_, i) => ({ uid: 100000 + i, name: 'player-' + i, guild: 'guild-of-the-north-wind' })) };
  for (let i = 0; i < 5; i++) assert.deepEqual(await client.request(ECHO, Object.assign({ seq: i }, state)), { code: 200, msg: Object.assign({ seq: i }, state) });
  await client.disconnect();
});

test('heartbeat: survives more than 2x the interval, and a silent server times out', { timeout: 60000 }, async () => {
  const A = await instance('A', { heartbeat: 1 });
  const { wx, client } = newClient();
  const ev = recorder(client, ['close', 'reconnecting', 'reconnect']);
  const r = await viaGate(client, A, 'bob');
  await sleep(3500); // the server closes a silent client after 2 s (2 x 1 s)
  assert.equal(ev.of('close').length, 0, 'no close while idle');
  assert.deepEqual(await client.request(ECHO, { still: 'here' }), { code: 200, msg: { still: 'here' } });
  const hb = (frames) => frames.filter((f) => f.url === r.url && f.bytes[0] === 3).length;
  assert.ok(hb(wx.sent) >= 3, `client sent ${hb(wx.sent)} heartbeats`);
  assert.ok(hb(wx.received) >= 3, `client received ${hb(wx.received)} heartbeats`);

  // Nothing arrives any more: after 2 intervals the client closes with 'heartbeat-timeout'.
  const t0 = Date.now();
  const closed = nextEvent(client, 'close', 6000);
  wx.dropIncoming = true;
  const info = await closed;
  const waited = Date.now() - t0;
  assert.equal(info.cause, 'heartbeat-timeout');
  assert.equal(info.willReconnect, true);
  assert.ok(waited >= 900 && waited <= 3500, `timed out after ${waited} ms`);
  wx.dropIncoming = false;
  const back = await nextEvent(client, 'reconnect', 15000);
  assert.equal(back.result.entry.code, 200);
  assert.deepEqual(await client.request(ECHO, { again: 1 }), { code: 200, msg: { again: 1 } });
  await client.disconnect();
});

test('kick: a kick event, a close with cause kick, and no reconnect', { timeout: 60000 }, async () => {
  const A = await instance('A', { heartbeat: 1 });
  const { wx, client } = newClient();
  const ev = recorder(client, ['close', 'reconnecting', 'kick']);
  await viaGate(client, A, 'carol');
  const kicked = nextEvent(client, 'kick', 5000);
  const closed = nextEvent(client, 'close', 5000);
  assert.deepEqual(await client.request('connector.entryHandler.kick', { reason: 'bye' }), { code: 200 });
  assert.deepEqual(await kicked, { reason: 'bye' });
  const info = await closed;
  assert.equal(info.cause, 'kick');
  assert.deepEqual(info.kick, { reason: 'bye' });
  assert.equal(info.willReconnect, false);
  assert.equal(typeof info.code, 'number', 'the close code from the gateway is surfaced');
  const connects = wx.connects.length;
  await sleep(RECONNECT.maxDelay * 2);
  assert.equal(ev.of('reconnecting').length, 0, 'no reconnect after a kick');
  assert.equal(wx.connects.length, connects);
  assert.equal(client.state, 'closed');
});

test('a killed connector: close, backoff, then reconnect once it is back on the same ports', { timeout: 90000 }, async () => {
  const A = await instance('A', { heartbeat: 1 });
  const { wx, client } = newClient();
  const ev = recorder(client, ['close', 'reconnecting', 'reconnect']);
  await viaGate(client, A, 'dave');
  const closed = nextEvent(client, 'close', 10000);
  await A.kill();
  delete instances.A;
  const info = await closed;
  assert.equal(info.cause, 'remote');
  assert.equal(typeof info.code, 'number', 'the close code is surfaced');
  assert.equal(info.willReconnect, true);
  await sleep(2500); // a few failed attempts while Pomelo is down
  const attempts = ev.of('reconnecting').map((e) => e.arg);
  assert.ok(attempts.length >= 2, `${attempts.length} attempts`);
  attempts.forEach((a, i) => {
    assert.equal(a.attempt, i + 1);
    const cap = Math.min(RECONNECT.maxDelay, RECONNECT.initialDelay * 2 ** i);
    assert.ok(a.delay >= cap * (1 - RECONNECT.jitter) - 1 && a.delay <= cap, `delay ${a.delay} for attempt ${a.attempt}`);
  });
  assert.equal(ev.of('reconnect').length, 0);

  instances.A = await startPomelo({ heartbeat: 1, ports: A.ports });
  const back = await nextEvent(client, 'reconnect', 20000);
  assert.equal(back.url, urlFor(A.ports.connector));
  assert.deepEqual(back.result.entry, { code: 200, msg: 'entered', uid: 'dave' }, 'entry is called again');
  assert.equal(client.state, 'open');
  assert.deepEqual(await client.request(ECHO, { after: 'restart' }), { code: 200, msg: { after: 'restart' } });
  assert.ok(wx.connects.length > 4);
  await client.disconnect();
});

test('useDict: routes are compressed with the handshake dictionary, both ways', { timeout: 60000 }, async () => {
  const B = await instance('B', { heartbeat: 1, useDict: true });
  const { wx, client } = newClient();
  const r = await viaGate(client, B, 'erin');
  assert.equal(r.entry.code, 200);
  assert.deepEqual(await client.request(ECHO, { d: 1 }), { code: 200, msg: { d: 1 } });
  const pushed = nextEvent(client, 'onPush', 5000);
  await client.request('connector.entryHandler.push', { payload: 'dict' });
  assert.deepEqual(await pushed, { payload: 'dict' });

  const sent = dataMessages(wx.sent, r.url);
  assert.ok(sent.length >= 3);
  for (const m of sent) assert.equal(m.compressRoute, 1, 'every request route is a dictionary code');
  const push = dataMessages(wx.received, r.url).find((m) => m.type === 3);
  assert.equal(push.compressRoute, 1, 'the push route came as a dictionary code');
  assert.equal(typeof push.route, 'number');
  await client.disconnect();
});

test('useProtobuf: bodies are pomelo-protobuf both ways; protobuf:false is refused at handshake', { timeout: 60000 }, async () => {
  const C = await instance('C', { heartbeat: 1, useProtobuf: true });
  const { wx, client } = newClient();
  const r = await viaGate(client, C, 'frank');
  assert.equal(r.entry.code, 200, 'routes without protos stay JSON');
  const text = 'protobuf ✓ 😀';
  assert.deepEqual(await client.request(ECHO, { text }), { code: 200, msg: { text } });
  const req = dataMessages(wx.sent, r.url).pop();
  assert.equal(req.body[0], 0x0a, 'the request body is protobuf (field 1, length-delimited), not JSON');
  const res = dataMessages(wx.received, r.url).filter((m) => m.type === 2).pop();
  assert.notEqual(res.body[0], 0x7b, 'the response body is not JSON');
  await client.disconnect();

  // A client that must not use protobuf refuses the handshake and sends no data at all.
  const plain = newClient({ protobuf: false });
  await assert.rejects(viaGate(plain.client, C, 'gina'), (e) => {
    assert.equal(e.code, 'PROTOBUF_UNSUPPORTED');
    assert.match(e.message, /protobuf/);
    return true;
  });
  assert.equal(dataMessages(plain.wx.sent, urlFor(C.ports.gate)).length, 0, 'never silently sends JSON');
});

test('a refused handshake (code 501) is surfaced', { timeout: 30000 }, async () => {
  const A = await instance('A', { heartbeat: 1 });
  const { client } = newClient({ clientVersion: '0.0.0-refused' });
  await assert.rejects(client.init({ url: urlFor(A.ports.connector) }), (e) => {
    assert.equal(e.code, 'HANDSHAKE_REFUSED');
    assert.equal(e.handshakeCode, 501);
    assert.equal(e.close.cause, 'handshake-error');
    return true;
  });
  assert.equal(client.state, 'closed');
});
