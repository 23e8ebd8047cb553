'use strict';

module.exports = (app) => new GateHandler(app);

function GateHandler(app) {
  this.app = app;
}

// Small stable string hash (Java's String.hashCode, unsigned).
function hash(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

// gate.gateHandler.queryEntry {uid} -> {code:200, host, port, serverId} of one connector.
GateHandler.prototype.queryEntry = function (msg, session, next) {
  const connectors = (this.app.getServersByType('connector') || [])
    .slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (connectors.length === 0) {
    next(null, { code: 500 });
    return;
  }
  const uid = msg && msg.uid !== undefined ? String(msg.uid) : '';
  const c = connectors[hash(uid) % connectors.length];
  // serverId lets a client behind the gateway reach this connector by its discovered route
  // (/s/{serverId}/) instead of mapping its internal host and port.
  next(null, { code: 200, host: c.clientHost || c.host, port: c.clientPort, serverId: c.id });
};
