'use strict';

module.exports = (app) => new EntryHandler(app);

function EntryHandler(app) {
  this.app = app;
}

// Pomelo adds msg.__route__ to every request body; give back what the client sent.
function clientMsg(msg) {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return msg;
  const copy = Object.assign({}, msg);
  delete copy.__route__;
  return copy;
}

// Push one message to this session only (route may be dictionary-compressed).
function pushTo(app, session, route, body, cb) {
  app.components.__connector__.send(null, route, body, [session.id], {}, cb);
}

// connector.entryHandler.entry {uid} -> binds the session to uid.
EntryHandler.prototype.entry = function (msg, session, next) {
  const uid = msg && msg.uid;
  session.bind(uid, (err) => {
    if (err) {
      next(null, { code: 500, msg: err.message });
      return;
    }
    next(null, { code: 200, msg: 'entered', uid });
  });
};

// connector.entryHandler.echo <any> -> {code:200, msg:<the same object>}.
// Send a JSON object: pomelo 2.2.7 spreads a top-level JSON array into the
// handler's arguments, so [x] arrives as x (arrays of 0 or 2+ items are rebuilt).
EntryHandler.prototype.echo = function (msg, session, next) {
  if (typeof next !== 'function') {
    const args = Array.from(arguments);
    next = args.pop();
    args.pop(); // session
    msg = args;
  }
  next(null, { code: 200, msg: clientMsg(msg) });
};

// connector.entryHandler.push {route?, payload?} -> push {payload} on route
// (default "onPush") to this session, then respond {code:200}.
EntryHandler.prototype.push = function (msg, session, next) {
  const route = (msg && msg.route) || 'onPush';
  pushTo(this.app, session, route, { payload: msg && msg.payload }, () => next(null, { code: 200 }));
};

// connector.entryHandler.kick {reason?, respond?} -> respond {code:200}, then
// kick the session: the client gets a kick package (type 5) {"reason":...}
// and the connection is closed. With respond:false the kick comes first and
// the response, sent after it, is dropped by pomelo (the client never gets it).
EntryHandler.prototype.kick = function (msg, session, next) {
  const reason = String((msg && msg.reason) || 'kick');
  const kick = () => this.app.get('sessionService').kickBySessionId(session.id, reason);
  if (msg && msg.respond === false) {
    kick();
    setImmediate(() => next(null, { code: 200 }));
    return;
  }
  next(null, { code: 200 });
  setImmediate(kick);
};

// connector.entryHandler.notifyMe: for notify messages (no response). As a
// visible effect it pushes {msg:<the notify body>} on route "onNotify".
EntryHandler.prototype.notifyMe = function (msg, session, next) {
  pushTo(this.app, session, 'onNotify', { msg: clientMsg(msg) }, () => next());
};

// connector.entryHandler.whoami -> {code:200, peer, forwardedFor, realIp, player}.
// Behind the gateway the socket's peer is the gateway; the player's own address is in the
// WebSocket upgrade request the gateway sent, as X-Forwarded-For (its last entry is the address
// the gateway saw, from the TCP peer, the PROXY protocol or a trusted proxy) and X-Real-IP.
EntryHandler.prototype.whoami = function (msg, session, next) {
  const full = this.app.get('sessionService').get(session.id);
  const socket = full && full.__socket__;
  const upgrade = socket && socket.socket && socket.socket.upgradeReq;
  const headers = (upgrade && upgrade.headers) || {};
  const peer = socket && socket.remoteAddress ? socket.remoteAddress.ip : null;
  next(null, {
    code: 200,
    peer,
    forwardedFor: headers['x-forwarded-for'] || null,
    realIp: headers['x-real-ip'] || null,
    player: playerAddress(headers, peer),
  });
};

// The player's address: X-Real-IP when the gateway set it, else the last X-Forwarded-For entry,
// else the socket's peer (no proxy in front).
function playerAddress(headers, peer) {
  if (headers['x-real-ip']) return headers['x-real-ip'];
  const forwarded = headers['x-forwarded-for'];
  if (forwarded) {
    const entries = forwarded.split(',').map((s) => s.trim()).filter(Boolean);
    if (entries.length) return entries[entries.length - 1];
  }
  return peer;
}
