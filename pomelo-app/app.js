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

// Console logins are checked against this instance's config/adminUser.json. Pomelo's default looks
// beside app.js, which serves every instance of this test app at once; a real app keeps it there.
app.configure('development', 'master', () => {
  const crypto = require('crypto');
  app.set('masterConfig', {
    authUser: (msg, env, cb) => {
      let users = [];
      try { users = JSON.parse(require('fs').readFileSync(require('path').join(base, 'config', 'adminUser.json'), 'utf8')); } catch (e) { return cb(null); }
      const given = String(msg.password || '');
      const user = users.find((u) => u.username === msg.username
        && (msg.md5 ? crypto.createHash('md5').update(String(u.password)).digest('hex') === given : String(u.password) === given));
      cb(user || null);
    },
  });
  // The gateway's optional admin module: change events instead of polling alone.
  if (bool(process.env.POMELO_GATEWAY_MODULE)) {
    app.registerAdmin(require('../clients/pomelo-gateway-discovery'), { app });
  }
});

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
