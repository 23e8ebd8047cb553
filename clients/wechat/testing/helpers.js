'use strict';
// Small helpers shared by the test files.

// The gateway's port-addressed URL template, e.g. wss://127.0.0.1:8443/ws/{port}/.
// Integration tests must go through it; without it they fail (they never skip).
function urlTemplate() {
  const t = process.env.PWX_URL_TEMPLATE;
  if (!t || !t.includes('{port}')) {
    throw new Error('PWX_URL_TEMPLATE is not set: it must be the gateway\'s port-addressed URL template, ' +
      'e.g. PWX_URL_TEMPLATE=wss://127.0.0.1:8443/ws/{port}/ (set PWX_CA_FILE to the gateway test certificate), ' +
      'or ws://127.0.0.1:{port}/ to talk to Pomelo directly during development');
  }
  return t;
}

function urlFor(port) {
  return urlTemplate().replace(/\{port\}/g, String(port));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves with the next `event` from the client (after `pred` holds), or rejects after ms.
function nextEvent(client, event, ms, pred = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { client.off(event, on); reject(new Error(`no '${event}' event within ${ms} ms`)); }, ms);
    function on(arg) {
      if (!pred(arg)) return;
      clearTimeout(timer);
      client.off(event, on);
      resolve(arg);
    }
    client.on(event, on);
  });
}

// Records every event the client emits on the given names.
function recorder(client, names) {
  const events = [];
  for (const n of names) client.on(n, (arg) => events.push({ name: n, arg, at: Date.now() }));
  events.of = (n) => events.filter((e) => e.name === n);
  return events;
}

// Clients (and their wx shims) to close when a test ends, even when it failed half-way:
// a client left reconnecting would keep the test process alive.
const tracked = [];
function track(client, wx) {
  tracked.push({ client, wx });
  return client;
}
async function closeTracked() {
  for (const { client, wx } of tracked.splice(0)) {
    await Promise.race([client.disconnect().catch(() => {}), sleep(1000)]);
    if (wx && wx.closeAll) wx.closeAll();
  }
}
// For a file's after() hook: close everything, then make sure the process ends even if a timed-out
// test still holds a timer (an unref'd timer fires only while something else keeps the process alive).
async function finish() {
  await closeTracked();
  setTimeout(() => process.exit(), 3000).unref();
}

module.exports = { urlTemplate, urlFor, sleep, nextEvent, recorder, track, closeTracked, finish };
