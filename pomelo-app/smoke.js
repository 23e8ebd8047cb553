#!/usr/bin/env node
// Smoke test: starts start.js on free ports in its own process group, talks the
// Pomelo protocol by hand (package + message encoding, no pomelo client), then
// kills the process group and checks that no process or port is left.
// Honours POMELO_USE_DICT, POMELO_USE_PROTOBUF and SMOKE_KILL_SIGNAL (default SIGKILL).
'use strict';
const assert = require('assert');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');
const WebSocket = require(path.join(__dirname, 'node_modules', 'ws'));

const USE_DICT = process.env.POMELO_USE_DICT === 'true';
const USE_PROTOBUF = process.env.POMELO_USE_PROTOBUF === 'true';
const KILL_SIGNAL = process.env.SMOKE_KILL_SIGNAL || 'SIGKILL';
const HEARTBEAT = 2;
const T = { HANDSHAKE: 1, ACK: 2, HEARTBEAT: 3, DATA: 4, KICK: 5 };
const M = { REQUEST: 0, NOTIFY: 1, RESPONSE: 2, PUSH: 3 };

// ---- Pomelo wire format -------------------------------------------------
function pkg(type, body = Buffer.alloc(0)) {
  const head = Buffer.from([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([head, body]);
}
function unpkg(buf) { // one frame -> list of packages
  const out = [];
  for (let o = 0; o < buf.length;) {
    const len = (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3];
    out.push({ type: buf[o], body: buf.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return out;
}
function varint(n) {
  const b = [];
  do { let x = n % 128; n = Math.floor(n / 128); if (n > 0) x |= 0x80; b.push(x); } while (n > 0);
  return Buffer.from(b);
}
function readVarint(buf, o) {
  let n = 0, m = 1, x;
  do { x = buf[o++]; n += (x & 0x7f) * m; m *= 128; } while (x & 0x80);
  return [n, o];
}
function encodeMsg(type, id, route, body, dict) {
  const parts = [];
  const code = dict && dict[route];
  parts.push(Buffer.from([(type << 1) | (code ? 1 : 0)]));
  if (type === M.REQUEST || type === M.RESPONSE) parts.push(varint(id));
  if (type !== M.RESPONSE) {
    if (code) parts.push(Buffer.from([code >> 8, code & 0xff]));
    else { const r = Buffer.from(route); parts.push(Buffer.from([r.length]), r); }
  }
  parts.push(body);
  return Buffer.concat(parts);
}
function decodeMsg(buf, abbrs) {
  let o = 0;
  const flag = buf[o++];
  const m = { type: (flag >> 1) & 0x7, compressed: !!(flag & 1) };
  if (m.type === M.REQUEST || m.type === M.RESPONSE) [m.id, o] = readVarint(buf, o);
  if (m.type !== M.RESPONSE) {
    if (m.compressed) { m.routeCode = (buf[o] << 8) | buf[o + 1]; m.route = abbrs && abbrs[m.routeCode]; o += 2; }
    else { const n = buf[o++]; m.route = buf.toString('utf8', o, o + n); o += n; }
  }
  m.body = buf.subarray(o);
  return m;
}
// Protobuf for the echo route only (protos/*.json): text=1 (string); code=1 (varint), msg=2 {text=1}.
const pbString = (tag, s) => { const b = Buffer.from(s); return Buffer.concat([varint((tag << 3) | 2), varint(b.length), b]); };
function pbDecode(buf) { // -> {tag: value} (varint number or Buffer)
  const out = {};
  for (let o = 0; o < buf.length;) {
    let key, len;
    [key, o] = readVarint(buf, o);
    if ((key & 7) === 0) [out[key >> 3], o] = readVarint(buf, o);
    else { [len, o] = readVarint(buf, o); out[key >> 3] = buf.subarray(o, o + len); o += len; }
  }
  return out;
}

// ---- a minimal client ---------------------------------------------------
class Client {
  constructor(port) {
    this.queue = []; this.waiters = []; this.nextId = 1; this.closed = null;
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    this.ws.on('message', (data) => {
      assert(Buffer.isBuffer(data), 'binary frames expected');
      for (const p of unpkg(data)) this.deliver(p);
    });
    this.ws.on('close', (code, reason) => { this.closed = { code, reason: String(reason || '') }; this.deliver({ type: 'close', ...this.closed }); });
    this.ws.on('error', (e) => this.deliver({ type: 'error', error: e }));
    this.opened = new Promise((res, rej) => { this.ws.once('open', res); this.ws.once('error', rej); });
  }
  deliver(p) { this.queue.push(p); this.waiters.splice(0).forEach((w) => w()); }
  async next(what, ms = 5000) { // next event; anything else queued before it is an error
    const deadline = Date.now() + ms;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${what}`);
      await new Promise((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
    return this.queue.shift();
  }
  async nextData(what) { // skip server heartbeats
    for (;;) {
      const p = await this.next(what);
      if (p.type === T.HEARTBEAT) continue;
      if (p.type !== T.DATA) throw new Error(`${what}: expected data, got ${JSON.stringify(p)}`);
      return decodeMsg(p.body, this.abbrs);
    }
  }
  send(buf) { this.ws.send(buf, { binary: true }); }
  async handshake(version = '0.0.1') {
    await this.opened;
    this.send(pkg(T.HANDSHAKE, Buffer.from(JSON.stringify({ sys: { type: 'js-websocket', version, rsa: {} }, user: {} }))));
    const p = await this.next('handshake');
    assert.strictEqual(p.type, T.HANDSHAKE);
    const hs = JSON.parse(p.body.toString());
    if (hs.sys && hs.sys.useDict) { this.dict = hs.sys.routeToCode || hs.sys.dict; this.abbrs = hs.sys.codeToRoute; }
    return hs;
  }
  ack() { this.send(pkg(T.ACK)); }
  request(route, body) {
    const id = this.nextId++;
    const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    this.send(pkg(T.DATA, encodeMsg(M.REQUEST, id, route, raw, this.dict)));
    return id;
  }
  notify(route, body) { this.send(pkg(T.DATA, encodeMsg(M.NOTIFY, 0, route, Buffer.from(JSON.stringify(body)), this.dict))); }
  async call(route, body) {
    const id = this.request(route, body);
    const m = await this.nextData(route);
    assert.strictEqual(m.type, M.RESPONSE); assert.strictEqual(m.id, id);
    return JSON.parse(m.body.toString());
  }
  close() { try { this.ws.close(); } catch (e) { /* ignore */ } }
}

// ---- ports and processes ------------------------------------------------
const canListen = (port) => new Promise((res) => {
  const s = net.createServer();
  s.once('error', () => res(false));
  s.listen(port, () => s.close(() => res(true)));
});
async function freePorts(n) { // n consecutive free ports
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    const ok = await Promise.all(Array.from({ length: n }, (_, i) => canListen(base + i)));
    if (ok.every(Boolean)) return Array.from({ length: n }, (_, i) => base + i);
  }
}
function groupMembers(pgid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (+f[2] === pgid && f[0] !== 'Z') out.push(+d);
    } catch (e) { /* gone */ }
  }
  return out;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('[smoke]', ...a);

async function main() {
  const [masterPort, gatePort, c1, c2, rpc1] = await freePorts(6);
  const connectorPorts = [c1, c2];
  const t0 = Date.now();
  // detached: the child gets its own session and process group, like `setsid`.
  const child = spawn(process.execPath, [path.join(__dirname, 'start.js')], {
    cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'inherit'],
    env: Object.assign({}, process.env, {
      POMELO_MASTER_PORT: masterPort, POMELO_GATE_PORT: gatePort, POMELO_RPC_BASE_PORT: rpc1,
      POMELO_CONNECTOR_PORTS: connectorPorts.join(','), POMELO_HEARTBEAT: HEARTBEAT,
    }),
  });
  const allPorts = [masterPort, gatePort, c1, c2, rpc1, rpc1 + 1];
  let failed = null;
  try {
    await new Promise((res, rej) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; if (out.includes('POMELO READY\n')) res(); });
      child.once('exit', (c) => rej(new Error('start.js exited early: ' + c)));
      setTimeout(() => rej(new Error('no POMELO READY within 30 s')), 30000);
    });
    log(`POMELO READY after ${Date.now() - t0} ms; ports master=${masterPort} gate=${gatePort} connectors=${connectorPorts} rpc=${rpc1},${rpc1 + 1}; dict=${USE_DICT} protobuf=${USE_PROTOBUF}`);
    await scenario(gatePort, connectorPorts);
  } catch (e) {
    failed = e;
  }

  // Kill the whole process group, as the JUnit fixture does.
  const pgid = child.pid;
  log(`members of process group ${pgid} before kill: ${groupMembers(pgid).length}`);
  process.kill(-pgid, KILL_SIGNAL);
  let left = [];
  for (let i = 0; i < 50; i++) { await sleep(100); left = groupMembers(pgid); if (!left.length) break; }
  assert.deepStrictEqual(left, [], `processes left in group after ${KILL_SIGNAL}`);
  const busy = [];
  for (const p of allPorts) if (!(await canListen(p))) busy.push(p);
  assert.deepStrictEqual(busy, [], 'ports still in use after kill');
  log(`${KILL_SIGNAL} to -${pgid}: no process left, all ${allPorts.length} ports free`);
  if (failed) throw failed;
}

async function scenario(gatePort, connectorPorts) {
  // Gate: handshake, ack, queryEntry.
  const gate = new Client(gatePort);
  const ghs = await gate.handshake();
  log('gate handshake:', JSON.stringify(ghs).slice(0, 200));
  assert.strictEqual(ghs.code, 200);
  assert.strictEqual(ghs.sys.heartbeat, undefined, 'gate has no heartbeat');
  assert.strictEqual(!!ghs.sys.useDict, USE_DICT);
  if (USE_DICT) assert(ghs.sys.dict['gate.gateHandler.queryEntry'], 'dict carries the routes');
  assert.strictEqual(!!ghs.sys.useProto, USE_PROTOBUF);
  gate.ack();
  const entry = await gate.call('gate.gateHandler.queryEntry', { uid: 'alice' });
  log('queryEntry(alice):', JSON.stringify(entry));
  assert.strictEqual(entry.code, 200); assert.strictEqual(entry.host, '127.0.0.1');
  assert(connectorPorts.includes(entry.port));
  const seen = new Set();
  for (let i = 0; i < 20; i++) seen.add((await gate.call('gate.gateHandler.queryEntry', { uid: 'user' + i })).port);
  assert.strictEqual(seen.size, 2, 'uids spread over both connectors');
  gate.close();

  // Connector: handshake with heartbeat, ack, server heartbeat, answered heartbeat.
  const c = new Client(entry.port);
  const hs = await c.handshake();
  log('connector handshake:', JSON.stringify(hs).slice(0, 300));
  assert.strictEqual(hs.code, 200); assert.strictEqual(hs.sys.heartbeat, HEARTBEAT);
  assert.strictEqual(!!hs.sys.useDict, USE_DICT);
  if (USE_DICT) assert(hs.sys.dict.onPush && c.abbrs[hs.sys.dict.onPush] === 'onPush');
  if (USE_PROTOBUF) assert(hs.sys.protos.server['connector.entryHandler.echo'], 'protos in handshake');
  c.ack();
  assert.strictEqual((await c.next('heartbeat after ack')).type, T.HEARTBEAT);
  const tHb = Date.now();
  c.send(pkg(T.HEARTBEAT));
  assert.strictEqual((await c.next('heartbeat answer', 1000)).type, T.HEARTBEAT);
  log(`heartbeat answered in ${Date.now() - tHb} ms`);

  const ent = await c.call('connector.entryHandler.entry', { uid: 'alice' });
  assert.deepStrictEqual(ent, { code: 200, msg: 'entered', uid: 'alice' });

  if (USE_PROTOBUF) {
    for (const text of ['hé', 'x'.repeat(1 << 20) + 'é']) {
      const id = c.request('connector.entryHandler.echo', pbString(1, text));
      const m = await c.nextData('pb echo');
      assert.strictEqual(m.id, id);
      const r = pbDecode(m.body);
      assert.strictEqual(r[1], 200);
      assert.strictEqual(pbDecode(r[2])[1].toString(), text);
    }
    log('protobuf echo ok (small and 1 MiB)');
  } else {
    const small = { a: 1, s: 'héllo ✓', arr: [1, 'two', { three: null }], nested: { t: true } };
    assert.deepStrictEqual(await c.call('connector.entryHandler.echo', small), { code: 200, msg: small });
    const big = { text: 'x'.repeat(1 << 20) + 'é✓' };
    const t = Date.now();
    assert.deepStrictEqual(await c.call('connector.entryHandler.echo', big), { code: 200, msg: big });
    log(`echo ok (small and 1 MiB, ${Date.now() - t} ms)`);
  }

  // push: the push arrives before the response.
  const pushId = c.request('connector.entryHandler.push', { payload: { k: 'v' } });
  const p1 = await c.nextData('push');
  assert.strictEqual(p1.type, M.PUSH); assert.strictEqual(p1.route, 'onPush');
  assert.strictEqual(p1.compressed, USE_DICT);
  assert.deepStrictEqual(JSON.parse(p1.body.toString()), { payload: { k: 'v' } });
  const r1 = await c.nextData('push response');
  assert.strictEqual(r1.id, pushId); assert.deepStrictEqual(JSON.parse(r1.body.toString()), { code: 200 });
  c.request('connector.entryHandler.push', { route: 'area.custom', payload: 7 });
  const p2 = await c.nextData('custom push');
  assert.strictEqual(p2.route, 'area.custom'); assert.strictEqual(p2.compressed, false);
  assert.deepStrictEqual(JSON.parse(p2.body.toString()), { payload: 7 });
  await c.nextData('custom push response');
  log(`push ok (onPush ${USE_DICT ? 'compressed to code ' + p1.routeCode : 'as text'}, then the response)`);

  c.notify('connector.entryHandler.notifyMe', { n: 1 });
  const pn = await c.nextData('onNotify');
  assert.strictEqual(pn.route, 'onNotify'); assert.deepStrictEqual(JSON.parse(pn.body.toString()), { msg: { n: 1 } });

  // kick: record everything the client sees, with the default (respond first)
  // and with respond:false (kick first) on a second connection.
  const kickSeq = async (client, body) => {
    const kickId = client.request('connector.entryHandler.kick', body);
    const seen = [];
    for (;;) {
      const p = await client.next('kick sequence');
      if (p.type === T.HEARTBEAT) continue;
      if (p.type === T.DATA) { const m = decodeMsg(p.body); seen.push(`response id=${m.id} ${m.body}`); assert.strictEqual(m.id, kickId); }
      else if (p.type === T.KICK) seen.push(`kick package (type 5) ${p.body}`);
      else if (p.type === 'close') { seen.push(`websocket close code=${p.code} reason="${p.reason}"`); break; }
      else seen.push(JSON.stringify(p));
    }
    log(`kick ${JSON.stringify(body)}, as seen by the client:`, seen.join(' | '));
    return seen;
  };
  const k1 = await kickSeq(c, { reason: 'bye' });
  assert.deepStrictEqual(k1.map((s) => s.split(' ')[0]), ['response', 'kick', 'websocket']);
  assert(k1[1].includes('{"reason":"bye"}') && k1[2].includes('code=1000'));
  const c2 = new Client(entry.port);
  await c2.handshake(); c2.ack();
  const k2 = await kickSeq(c2, { reason: 'first', respond: false });
  assert.deepStrictEqual(k2.map((s) => s.split(' ')[0]), ['kick', 'websocket']);

  // refused handshake on the connector and on the gate.
  for (const [name, port] of [['connector', entry.port], ['gate', gatePort]]) {
    const r = new Client(port);
    const rhs = await r.handshake('0.0.0-refused');
    const end = await r.next('close after refusal');
    log(`${name} refused handshake: ${JSON.stringify(rhs)}, then websocket close code=${end.code}`);
    assert.deepStrictEqual(rhs, { code: 501 });
    assert.strictEqual(end.type, 'close');
  }
}

module.exports = { Client, pkg, unpkg, encodeMsg, decodeMsg, T, M, freePorts, canListen };
if (require.main === module) {
  main().then(() => { log('PASS'); process.exit(0); }, (e) => { console.error('[smoke] FAIL', e); process.exit(1); });
}
