'use strict';
// Starts the real Pomelo test app (../../pomelo-app/start.js) on free ports, in its own
// process group, and kills that group. Every instance is killed when the process exits.
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');

const APP_DIR = process.env.POMELO_APP_DIR || path.resolve(__dirname, '..', '..', '..', 'pomelo-app');
const START = path.join(APP_DIR, 'start.js');
const live = new Map(); // child -> work dir

function killGroup(child) {
  try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* already gone */ }
  fs.rmSync(live.get(child) || '/nonexistent', { recursive: true, force: true });
  live.delete(child);
}
process.on('exit', () => { for (const c of [...live.keys()]) killGroup(c); });

// A free TCP port on 127.0.0.1 (bind port 0, read it, release it).
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function freePorts(n) {
  const out = new Set();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

function portClosed(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

function checkApp() {
  if (!fs.existsSync(START) || !fs.existsSync(path.join(APP_DIR, 'node_modules', 'pomelo'))) {
    throw new Error(`Pomelo test app not ready: need ${START} and its node_modules (run npm ci in ${APP_DIR})`);
  }
}

/**
 * Starts one instance: a gate and one connector. Options: heartbeat (s), useDict, useProtobuf,
 * ports ({master, gate, connector, rpc}: reuse to restart on the same ports).
 * Resolves with {ports, child, kill(), stop()} once start.js prints POMELO READY.
 * Tries 3 times: a free port can be taken by someone else before Pomelo binds it.
 */
async function startPomelo(opts = {}) {
  checkApp();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function startOnce(opts) {
  let ports = opts.ports;
  if (!ports) {
    const [master, gate, connector, rpc] = await freePorts(4);
    ports = { master, gate, connector, rpc };
  }
  const env = Object.assign({}, process.env, {
    POMELO_MASTER_PORT: String(ports.master),
    POMELO_GATE_PORT: String(ports.gate),
    POMELO_CONNECTOR_PORTS: String(ports.connector),
    POMELO_RPC_BASE_PORT: String(ports.rpc),
    POMELO_HEARTBEAT: String(opts.heartbeat === undefined ? 0 : opts.heartbeat),
    POMELO_USE_DICT: String(!!opts.useDict),
    POMELO_USE_PROTOBUF: String(!!opts.useProtobuf),
  });
  // Our own work dir (config, logs), so that even a SIGKILLed instance leaves nothing behind.
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pwx-pomelo-'));
  env.POMELO_WORK_DIR = workDir;
  const child = spawn(process.execPath, [START], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.set(child, workDir);
  let log = '';
  child.stderr.on('data', (d) => { log += d; if (log.length > 20000) log = log.slice(-20000); });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Pomelo not ready after 60 s:\n' + log)), 60000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('POMELO READY')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`start.js exited early (code ${code}, signal ${sig}):\n${log}`));
    });
  });
  const inst = {
    ports,
    child,
    log: () => log,
    // Abrupt: SIGKILL to the whole process group, then wait until the client ports are closed.
    async kill() {
      killGroup(child);
      for (let i = 0; i < 100; i++) {
        if ((await portClosed(ports.gate)) && (await portClosed(ports.connector))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('Pomelo ports still open after kill');
    },
  };
  inst.stop = inst.kill;
  try {
    await ready;
  } catch (e) {
    await inst.kill().catch(() => {});
    throw e;
  }
  return inst;
}

module.exports = { startPomelo, freePorts, APP_DIR };
