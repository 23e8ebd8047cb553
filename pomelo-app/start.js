#!/usr/bin/env node
// Starts one isolated Pomelo instance (master + gate + connectors) configured
// only by environment variables; see README.md. Runs in the foreground, prints
// "POMELO READY" on stdout when every client port accepts connections, and
// takes all Pomelo processes down with it.
'use strict';
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');

const HERE = __dirname;
const ENV = 'development'; // pomelo spawns servers as plain (non-detached) children only in development
const env = process.env;

function fail(msg) {
  console.error('start.js: ' + msg);
  process.exit(2);
}
function port(name, def) {
  const v = env[name] === undefined || env[name] === '' ? String(def) : env[name].trim();
  if (!/^\d+$/.test(v) || +v < 1 || +v > 65535) fail(`${name} must be a port number, got "${v}"`);
  return +v;
}
function bool(name) {
  const v = (env[name] || 'false').trim().toLowerCase();
  if (!['true', 'false', '1', '0', ''].includes(v)) fail(`${name} must be true or false, got "${v}"`);
  return v === 'true' || v === '1';
}

const masterPort = port('POMELO_MASTER_PORT', 3005);
const gatePort = port('POMELO_GATE_PORT', 3014);
const rpcBase = port('POMELO_RPC_BASE_PORT', 4050);
const portsSpec = env.POMELO_CONNECTOR_PORTS === undefined ? '3050' : env.POMELO_CONNECTOR_PORTS.trim();
const connectorPorts = portsSpec === '' || portsSpec === 'none' ? [] : portsSpec.split(',').map((p, i) => {
  if (!/^\d+$/.test(p.trim())) fail(`POMELO_CONNECTOR_PORTS entry ${i} is not a port: "${p}"`);
  return +p.trim();
});
const heartbeatStr = env.POMELO_HEARTBEAT === undefined || env.POMELO_HEARTBEAT === '' ? '10' : env.POMELO_HEARTBEAT.trim();
if (!/^\d+$/.test(heartbeatStr)) fail(`POMELO_HEARTBEAT must be whole seconds, got "${heartbeatStr}"`);
const useDict = bool('POMELO_USE_DICT');
const useProtobuf = bool('POMELO_USE_PROTOBUF');

// Per-instance application base: config/ generated here, app/ linked to our handlers.
// A temp dir is removed on exit; after a SIGKILL the next start removes it.
const ownDir = !env.POMELO_WORK_DIR;
if (ownDir) {
  for (const d of fs.readdirSync(os.tmpdir())) {
    const m = /^pomelo-app-(\d+)-/.exec(d);
    if (!m) continue;
    try { process.kill(+m[1], 0); } catch (e) {
      if (e.code === 'ESRCH') fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
    }
  }
}
const base = ownDir ? fs.mkdtempSync(path.join(os.tmpdir(), `pomelo-app-${process.pid}-`)) : path.resolve(env.POMELO_WORK_DIR);
const cfg = path.join(base, 'config');
fs.mkdirSync(cfg, { recursive: true });
const write = (name, obj) => fs.writeFileSync(path.join(cfg, name), JSON.stringify(obj, null, 2) + '\n');
write('master.json', { [ENV]: { id: 'master-server-1', host: '127.0.0.1', port: masterPort } });
write('servers.json', {
  [ENV]: {
    gate: [{ id: 'gate-server-1', host: '127.0.0.1', clientPort: gatePort, frontend: true }],
    connector: connectorPorts.map((clientPort, i) => ({
      id: `connector-server-${i + 1}`, host: '127.0.0.1', port: rpcBase + i,
      clientHost: '127.0.0.1', clientPort, frontend: true,
    })),
  },
});
// Console users for the master (what `pomelo list` and the gateway's discovery log in with), only
// when asked for: without the file every console login fails, as in a Pomelo app that has none.
if (env.POMELO_ADMIN_USER) {
  write('adminUser.json', [{ id: 'user-1', username: env.POMELO_ADMIN_USER, password: env.POMELO_ADMIN_PASSWORD || '', level: 1 }]);
} else {
  fs.rmSync(path.join(cfg, 'adminUser.json'), { force: true });
}
// Only errors, on the console (which we forward to stderr); no log files.
write('log4js.json', { appenders: [{ type: 'console' }], levels: { '[all]': 'ERROR' }, replaceConsole: false });
// With the dictionary on, also compress the push routes of this app.
write('dictionary.json', ['onPush', 'onNotify']);
for (const f of ['serverProtos.json', 'clientProtos.json']) {
  const dst = path.join(cfg, f);
  if (useProtobuf) fs.copyFileSync(path.join(HERE, 'protos', f), dst);
  else fs.rmSync(dst, { force: true });
}
const appLink = path.join(base, 'app');
fs.rmSync(appLink, { force: true, recursive: false });
fs.symlinkSync(path.join(HERE, 'app'), appLink);

// Launch the master; it spawns gate and connectors as its own children, which
// stay in our process group, so killing the group kills everything.
const master = spawn(process.execPath, [path.join(HERE, 'app.js'), `env=${ENV}`], {
  cwd: base,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: Object.assign({}, env, {
    POMELO_WORK_DIR: base,
    POMELO_HEARTBEAT: heartbeatStr,
    POMELO_USE_DICT: String(useDict),
    POMELO_USE_PROTOBUF: String(useProtobuf),
    NODE_OPTIONS: ((env.NODE_OPTIONS || '') + ' --no-deprecation').trim(),
  }),
});

// Every Pomelo process's stdout arrives here; stdout of start.js carries only
// our own lines, the rest goes to stderr.
const notReady = new Set(['gate-server-1', ...connectorPorts.map((p, i) => `connector-server-${i + 1}`)]);
let pending = '';
master.stdout.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  for (const line of lines) {
    const ready = /POMELO_SERVER_READY (\S+)/.exec(line);
    if (ready) notReady.delete(ready[1]);
    else process.stderr.write(line + '\n');
    if (line.includes('POMELO_FATAL')) shutdown(1);
  }
});

// All descendants of this process (Linux /proc), deepest last.
function descendants() {
  const kids = {};
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = +stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      (kids[ppid] = kids[ppid] || []).push(+d);
    } catch (e) { /* process gone */ }
  }
  const out = [];
  const queue = [process.pid];
  while (queue.length) for (const c of kids[queue.shift()] || []) { out.push(c); queue.push(c); }
  return out;
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  let pids = [master.pid];
  try { pids = descendants(); } catch (e) { /* no /proc: the servers' parent watchdog ends them */ }
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
  if (ownDir) { try { fs.rmSync(base, { recursive: true, force: true }); } catch (e) { /* ignore */ } }
  process.exit(code);
}
for (const [sig, num] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]]) process.on(sig, () => shutdown(128 + num));
master.on('exit', (code, sig) => {
  if (!stopping) console.error(`start.js: pomelo master exited (code ${code}, signal ${sig})`);
  shutdown(1);
});

// Readiness: every frontend server reported that the master announced "all
// servers started" and that its client port listens, and every client port
// accepts a TCP connection.
const clientPorts = [gatePort, ...connectorPorts];
const accepts = (p) => new Promise((resolve) => {
  const s = net.connect({ host: '127.0.0.1', port: p });
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});
const startedAt = Date.now();
const timeoutMs = 1000 * Number(env.POMELO_START_TIMEOUT || 60);
(async function waitReady() {
  for (;;) {
    if (notReady.size === 0 && (await Promise.all(clientPorts.map(accepts))).every(Boolean)) break;
    if (Date.now() - startedAt > timeoutMs) {
      console.error(`start.js: not ready after ${timeoutMs} ms (ports ${clientPorts.join(',')})`);
      shutdown(1);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log('POMELO READY');
})();
