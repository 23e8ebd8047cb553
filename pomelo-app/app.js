// Pomelo application entry. Do not run directly: start.js generates the
// per-instance config directory and launches this file as the master, and the
// master then launches it again for the gate and each connector.
'use strict';
const pomelo = require('pomelo');

const base = process.env.POMELO_WORK_DIR;
if (!base) {
  console.error('app.js: POMELO_WORK_DIR is not set; start the app with start.js');
  process.exit(2);
}

// Die together with the parent (start.js for the master, the master for the
// servers): if it goes away we are re-parented and exit, so no orphan keeps a port.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(1); }, 300).unref();

const app = pomelo.createApp({ base });
app.set('name', 'pomelo-wx-gateway-test-app');

const bool = (v) => /^(1|true|yes|on)$/i.test(v || '');
const common = {
  connector: pomelo.connectors.hybridconnector,
  distinctHost: true, // bind client ports to the server's host (127.0.0.1) only
  useDict: bool(process.env.POMELO_USE_DICT),
  useProtobuf: bool(process.env.POMELO_USE_PROTOBUF),
  // Handshake refusal: pomelo answers {"code":501} and closes the connection.
  checkClient: (type, version) => version !== '0.0.0-refused',
};

app.configure('development', 'gate', () => {
  app.set('connectorConfig', Object.assign({}, common)); // no heartbeat on the gate
});

app.configure('development', 'connector', () => {
  const heartbeat = Number(process.env.POMELO_HEARTBEAT || 0);
  app.set('connectorConfig', Object.assign({}, common, heartbeat > 0 ? { heartbeat } : {}));
});

// Markers on stdout for start.js (our stdout reaches it through the master).
// "POMELO_SERVER_READY <id>": the master has told this server that all servers
// started (so the gate knows every connector) and its client port is listening.
if (app.isFrontend()) {
  app.event.on(pomelo.events.START_ALL, () => {
    const server = app.components.__connector__.connector.listeningServer;
    const report = () => console.log('POMELO_SERVER_READY ' + app.getServerId());
    if (server.listening) report(); else server.once('listening', report);
  });
}

app.start();

// "POMELO_FATAL": a port could not be bound; start.js then stops the instance.
process.on('uncaughtException', (err) => {
  const text = '[' + app.getServerId() + '] uncaught exception: ' + (err && err.stack || err);
  if (err && (err.code === 'EADDRINUSE' || err.code === 'EACCES')) {
    console.log('POMELO_FATAL ' + text.split('\n')[0]);
    process.exit(1);
  }
  console.error(text);
});
