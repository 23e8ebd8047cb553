'use strict';
// Real-browser test: Debian's Chromium, headless through playwright-core, loads a page that runs
// the unmodified index.js over a `wx` shim on the browser's own WebSocket, and completes
// connectViaGate, entry and echo through the gateway (PWX_URL_TEMPLATE) to a real Pomelo.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { startPomelo } = require('../testing/pomelo');
const { urlTemplate, urlFor, finish } = require('../testing/helpers');

const CHROMIUM = process.env.PWX_CHROMIUM || '/usr/bin/chromium';
const FILES = {
  '/': [path.join(__dirname, '..', 'testing', 'browser', 'index.html'), 'text/html; charset=utf-8'],
  '/index.js': [path.join(__dirname, '..', 'index.js'), 'application/javascript; charset=utf-8'],
  '/wx-browser.js': [path.join(__dirname, '..', 'testing', 'browser', 'wx-browser.js'), 'application/javascript; charset=utf-8'],
};

const cleanup = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
  await finish();
});

function serve() {
  const server = http.createServer((req, res) => {
    const f = FILES[req.url.split('?')[0]];
    if (!f) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': f[1], 'cache-control': 'no-store' });
    res.end(fs.readFileSync(f[0])); // served byte for byte
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('Chromium runs the library over a wx shim: connectViaGate, entry and echo through the gateway', { timeout: 120000 }, async () => {
  const template = urlTemplate();
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (never npx playwright install)`);
  const { chromium } = require('playwright-core');

  const pomelo = await startPomelo({ heartbeat: 2 });
  cleanup.push(() => pomelo.kill());
  const web = await serve();
  cleanup.push(() => new Promise((r) => web.close(r)));
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pwx-chromium-'));
  cleanup.push(async () => fs.rmSync(userDataDir, { recursive: true, force: true }));

  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
  });
  cleanup.push(() => context.close());
  const page = context.pages()[0] || await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.type() + ': ' + m.text()));
  page.on('pageerror', (e) => logs.push('pageerror: ' + e.message));
  await page.goto(`http://127.0.0.1:${web.address().port}/`, { timeout: 30000 });

  const result = await page.evaluate(async ({ gateUrl, tpl }) => {
    const client = window.pomeloWx.createClient({ urlTemplate: tpl, requestTimeout: 10000 }); // wx from the global
    const events = [];
    client.on('close', (i) => events.push(i.cause));
    const via = await client.connectViaGate({ gateUrl, query: { uid: 'browser-1' } });
    const echo = await client.request('connector.entryHandler.echo', { text: 'from Chromium 😀', n: [1, 2, 3] });
    const pushed = new Promise((resolve) => client.on('onPush', resolve));
    await client.request('connector.entryHandler.push', { payload: 'to the browser' });
    const push = await pushed;
    await client.disconnect();
    return { via, echo, push, events, connects: window.wx.connects, ua: navigator.userAgent };
  }, { gateUrl: urlFor(pomelo.ports.gate), tpl: template }).catch((e) => {
    throw new Error(e.message + '\nbrowser console:\n' + logs.join('\n'));
  });

  assert.match(result.ua, /Chrome\//);
  assert.deepEqual(result.connects, [urlFor(pomelo.ports.gate), urlFor(pomelo.ports.connector)]);
  assert.equal(result.via.url, urlFor(pomelo.ports.connector));
  assert.deepEqual(result.via.entry, { code: 200, msg: 'entered', uid: 'browser-1' });
  assert.deepEqual(result.echo, { code: 200, msg: { text: 'from Chromium 😀', n: [1, 2, 3] } });
  assert.deepEqual(result.push, { payload: 'to the browser' });
  assert.deepEqual(result.events, ['app']);
});
