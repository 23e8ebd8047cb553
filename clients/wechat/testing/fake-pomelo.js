'use strict';
// An in-memory Pomelo server behind a fake `wx` (no network), for fast client unit tests.
// The server side encodes with the reference pomelo-protocol and pomelo-protobuf packages.
const { Package, Message } = require('pomelo-protocol');
const protobuf = require('pomelo-protobuf');

const P = Package;
const M = Message;

/**
 * opts: heartbeat (seconds, may be fractional), useDict (route list), protos ({server, client}
 * raw pomelo-protobuf definitions) or rawProtos (sent as they are), handshakeCode, user,
 * routes ({route: (body, session) => response}), answerHeartbeats (default true).
 * server.accept: true | false ('refuse': error + close 1006) | 'hang' (open, never answers).
 */
function createFakePomelo(opts = {}) {
  const server = {
    accept: true,
    answerHeartbeats: opts.answerHeartbeats !== false,
    sessions: [],
    connects: [],
    violations: [], // protocol rules the client broke
    routes: Object.assign({
      'connector.entryHandler.echo': (body) => ({ code: 200, msg: body }),
      'gate.gateHandler.queryEntry': () => ({ code: 200, host: '10.0.0.7', port: 3051 }),
      'connector.entryHandler.entry': (body) => ({ code: 200, uid: body.uid }),
    }, opts.routes || {}),
  };
  let dict = null;
  let abbrs = null;
  if (opts.useDict) {
    dict = {};
    abbrs = {};
    opts.useDict.forEach((r, i) => { dict[r] = i + 1; abbrs[i + 1] = r; });
  }
  let parsed = null;
  if (opts.protos) {
    parsed = { server: protobuf.parse(opts.protos.server), client: protobuf.parse(opts.protos.client), version: 'v1' };
    protobuf.init({ encoderProtos: parsed.server, decoderProtos: parsed.client });
  }

  server.wx = {
    connectSocket(o) {
      const h = { open: [], message: [], close: [], error: [] };
      const fire = (n, a) => h[n].slice().forEach((f) => f(a));
      const s = {
        url: o.url, options: o, state: 'connecting', received: [], pending: [], acked: false, handshake: null, closedWith: null,
      };
      server.connects.push(o.url);
      server.sessions.push(s);
      const toClient = (buf) => {
        if (s.state !== 'open') return;
        const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
        setImmediate(() => { if (s.state === 'open') fire('message', { data: ab }); });
      };
      s.sendRaw = toClient;
      s.send = (type, body) => toClient(P.encode(type, body ? Buffer.from(body) : undefined));
      s.push = (route, body) => {
        const code = dict && dict[route];
        const b = parsed && parsed.server[route] ? protobuf.encode(route, body) : Buffer.from(JSON.stringify(body));
        s.send(P.TYPE_DATA, M.encode(0, M.TYPE_PUSH, code ? 1 : 0, code || route, b));
      };
      s.kick = (reason) => s.send(P.TYPE_KICK, Buffer.from(JSON.stringify({ reason })));
      s.close = (code, reason) => {
        if (s.state === 'closed') return;
        s.state = 'closed';
        setImmediate(() => fire('close', { code, reason }));
      };
      s.drop = () => { // abnormal: error, then close 1006
        if (s.state === 'closed') return;
        s.state = 'closed';
        setImmediate(() => { fire('error', { errMsg: 'connection reset' }); fire('close', { code: 1006, reason: '' }); });
      };
      const task = {
        onOpen: (f) => h.open.push(f),
        onMessage: (f) => h.message.push(f),
        onClose: (f) => h.close.push(f),
        onError: (f) => h.error.push(f),
        send({ data, fail }) {
          if (s.state !== 'open') { if (fail) setImmediate(() => fail({ errMsg: 'sendSocketMessage:fail not open' })); return; }
          if (!(data instanceof ArrayBuffer)) throw new TypeError('SocketTask.send: data must be an ArrayBuffer here');
          onPackage(s, Buffer.from(new Uint8Array(data)));
        },
        close({ code, reason } = {}) {
          if (s.state === 'closed') return;
          s.closedWith = { code, reason };
          s.state = 'closed';
          setImmediate(() => fire('close', { code: code || 1000, reason: reason || '' }));
        },
      };
      const accept = server.accept;
      setImmediate(() => {
        if (accept === false) {
          s.state = 'closed';
          fire('error', { errMsg: 'connect refused' });
          fire('close', { code: 1006, reason: '' });
        } else {
          s.state = 'open';
          s.hang = accept === 'hang';
          fire('open', {});
        }
      });
      return task;
    },
  };

  function assertEqual(a, b, what) {
    if (a !== b) server.violations.push(what);
  }

  function onPackage(s, buf) {
    const pkgs = [].concat(P.decode(buf));
    assertEqual(pkgs.length, 1, 'one package per frame');
    const pkg = pkgs[0];
    s.received.push(pkg);
    if (s.hang) return;
    if (pkg.type === P.TYPE_HANDSHAKE) {
      s.handshake = JSON.parse(pkg.body.toString());
      const sys = { heartbeat: opts.heartbeat || undefined };
      if (dict) Object.assign(sys, { useDict: true, dict, routeToCode: dict, codeToRoute: abbrs, dictVersion: 'd1' });
      if (parsed) Object.assign(sys, { useProto: true, protos: parsed });
      if (opts.rawProtos) Object.assign(sys, { useProto: true, protos: opts.rawProtos });
      const res = { code: opts.handshakeCode || 200, sys };
      if (opts.user) res.user = opts.user;
      s.send(P.TYPE_HANDSHAKE, JSON.stringify(res));
      if (res.code !== 200) setImmediate(() => s.close(1000, ''));
    } else if (pkg.type === P.TYPE_HANDSHAKE_ACK) {
      s.acked = true;
      if (opts.heartbeat) s.send(P.TYPE_HEARTBEAT);
    } else if (pkg.type === P.TYPE_HEARTBEAT) {
      if (server.answerHeartbeats) s.send(P.TYPE_HEARTBEAT);
    } else if (pkg.type === P.TYPE_DATA) {
      assertEqual(s.acked, true, 'data only after the handshake ack');
      const m = M.decode(pkg.body);
      if (m.compressRoute) m.route = abbrs[m.route];
      m.body = parsed && parsed.client[m.route] ? protobuf.decode(m.route, m.body) : JSON.parse(m.body.toString());
      s.pending.push(m);
      const handler = server.routes[m.route];
      if (!handler) return;
      const reply = handler(m.body, s, m);
      if (m.type === M.TYPE_REQUEST && reply !== undefined) {
        const b = parsed && parsed.server[m.route] ? protobuf.encode(m.route, reply) : Buffer.from(JSON.stringify(reply));
        s.send(P.TYPE_DATA, M.encode(m.id, M.TYPE_RESPONSE, 0, null, b));
      }
    }
  }

  server.last = () => server.sessions[server.sessions.length - 1];
  return server;
}

module.exports = { createFakePomelo };
