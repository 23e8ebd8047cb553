// pomelo-wx-client: Pomelo client for WeChat mini-programs (wx.connectSocket SocketTask). ES5,
// CommonJS, no dependencies, no Node APIs. API: index.d.ts and README.md.
'use strict';

var VERSION = '0.1.0';
var PKG = { HANDSHAKE: 1, HANDSHAKE_ACK: 2, HEARTBEAT: 3, DATA: 4, KICK: 5 };
var MSG = { REQUEST: 0, NOTIFY: 1, RESPONSE: 2, PUSH: 3 };

function perr(code, message, extra) {
  var e = new Error(message);
  e.code = code;
  for (var k in extra || {}) { e[k] = extra[k]; }
  return e;
}

/* ---- bytes ---- */

function utf8Encode(s) {
  var out = [];
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i), d = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + d - 0xdc00; i++; }
    else if (c >= 0xd800 && c < 0xe000) { c = 0xfffd; }
    if (c < 0x80) { out.push(c); }
    else if (c < 0x800) { out.push(0xc0 | c >> 6, 0x80 | c & 63); }
    else if (c < 0x10000) { out.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63); }
    else { out.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63); }
  }
  return out;
}

function utf8Decode(b, i, n) { // the server (Node.js) only sends valid UTF-8
  var s = '', u = [], c;
  for (i = i || 0, n = n === undefined ? b.length : n; i < n;) {
    c = b[i++];
    if (c >= 0xf0) { c = (c & 7) << 18 | (b[i++] & 63) << 12 | (b[i++] & 63) << 6 | b[i++] & 63; }
    else if (c >= 0xe0) { c = (c & 15) << 12 | (b[i++] & 63) << 6 | b[i++] & 63; }
    else if (c >= 0xc0) { c = (c & 31) << 6 | b[i++] & 63; }
    if (c >= 0x10000) { c -= 0x10000; u.push(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); } else { u.push(c); }
    if (u.length > 4096) { s += String.fromCharCode.apply(null, u); u = []; }
  }
  return s + String.fromCharCode.apply(null, u);
}

function writeVarint(out, n) { // up to 2^53, low 7 bits first
  if (!(n >= 0 && n % 1 === 0)) { throw perr('ENCODE', 'not an unsigned integer: ' + n); }
  do { var b = n % 128; n = Math.floor(n / 128); out.push(n ? b | 128 : b); } while (n);
}

function Reader(b, o, end) { this.b = b; this.o = o || 0; this.end = end === undefined ? b.length : end; }
Reader.prototype.skip = function (len) {
  if (this.o + len > this.end) { throw perr('DECODE', 'unexpected end of data'); }
  this.o += len;
  return this.o - len;
};
Reader.prototype.byte = function () { return this.b[this.skip(1)]; };
Reader.prototype.varint = function () {
  var n = 0, mul = 1, b;
  do { b = this.byte(); n += (b & 127) * mul; mul *= 128; } while (b & 128);
  return n;
};

/* ---- package: type, 3-byte big-endian length, body ---- */

function encodePackage(type, body) {
  var len = body ? body.length : 0;
  if (len > 0xffffff) { throw perr('ENCODE', 'package body over 16 MiB'); }
  var out = new Uint8Array(4 + len);
  out[0] = type; out[1] = len >> 16 & 255; out[2] = len >> 8 & 255; out[3] = len & 255;
  if (len) { out.set(body, 4); }
  return out;
}

function decodePackages(d) {
  if (typeof d === 'string') { throw perr('DECODE', 'text frame: Pomelo sends binary'); }
  var b = d instanceof Uint8Array ? d : new Uint8Array(d), list = [], o = 0;
  while (o < b.length) {
    var len = b[o + 1] << 16 | b[o + 2] << 8 | b[o + 3];
    if (o + 4 + len > b.length) { throw perr('DECODE', 'truncated package'); }
    list.push({ type: b[o], body: b.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return list;
}

/* ---- message: flag, id, route (text or dictionary code), body ---- */

function encodeMessage(id, type, route, body) {
  var code = typeof route === 'number', out = [type << 1 | (code ? 1 : 0)];
  if (type === MSG.REQUEST || type === MSG.RESPONSE) { writeVarint(out, id); }
  if (type !== MSG.RESPONSE) {
    if (code) { out.push(route >> 8 & 255, route & 255); } else {
      var r = utf8Encode(route);
      if (r.length > 255) { throw perr('ENCODE', 'route over 255 bytes: ' + route); }
      out.push(r.length);
      out = out.concat(r);
    }
  }
  var res = new Uint8Array(out.length + body.length);
  res.set(out);
  res.set(body, out.length);
  return res;
}

function decodeMessage(b) {
  var rd = new Reader(b), flag = rd.byte(), type = flag >> 1 & 7, m = { type: type, compressRoute: flag & 1 };
  if (flag & 0x10) { throw perr('DECODE', 'gzip messages are not supported'); }
  if (type === MSG.REQUEST || type === MSG.RESPONSE) { m.id = rd.varint(); }
  if (type !== MSG.RESPONSE) {
    if (m.compressRoute) { m.route = rd.byte() << 8 | rd.byte(); }
    else { var len = rd.byte(), at = rd.skip(len); m.route = utf8Decode(b, at, at + len); }
  }
  m.body = b.subarray(rd.o);
  return m;
}

/* ---- protobuf as pomelo-protobuf encodes it, with the parsed protos from the handshake.
 * Its quirks: int32 is zigzag like sInt32; repeated numbers are key, element COUNT, elements. */

var WIRE = { uInt32: 0, sInt32: 0, int32: 0, double: 1, string: 2, float: 5 };
var NUM = { uInt32: 1, sInt32: 1, int32: 1, float: 1, double: 1 };
var FLOAT = { float: 4, double: 8 }, dv = new DataView(new ArrayBuffer(8));

function subProto(proto, root, type) {
  var m = (proto.__messages || {})[type] || root['message ' + type];
  if (!m) { throw perr('PROTOBUF', 'unsupported type ' + type); }
  return m;
}

function pbEncode(root, route, msg) {
  var out = [];
  pbEncodeMsg(out, root[route], root, msg, route);
  return new Uint8Array(out);
}

function pbEncodeMsg(out, proto, root, msg, path) {
  for (var name in proto) {
    var f = proto[name], v = msg[name], at = path + '.' + name;
    if (!f || !f.option) { continue; }
    if (v === undefined || v === null) {
      if (f.option === 'required') { throw perr('ENCODE', 'missing required field ' + at); }
    } else if (f.option !== 'repeated') {
      writeVarint(out, f.tag * 8 + (f.type in WIRE ? WIRE[f.type] : 2));
      pbValue(out, f.type, proto, root, v, at);
    } else if (!(v instanceof Array)) {
      throw perr('ENCODE', at + ' must be an array');
    } else if (NUM[f.type] && v.length) {
      writeVarint(out, f.tag * 8 + WIRE[f.type]);
      writeVarint(out, v.length);
      for (var i = 0; i < v.length; i++) { pbValue(out, f.type, proto, root, v[i], at); }
    } else {
      for (var j = 0; j < v.length; j++) { writeVarint(out, f.tag * 8 + 2); pbValue(out, f.type, proto, root, v[j], at); }
    }
  }
}

function pbValue(out, type, proto, root, v, at) {
  var b = [], i, w = FLOAT[type];
  if (type === 'uInt32') { return writeVarint(out, +v); }
  if (type === 'sInt32' || type === 'int32') { v = +v; return writeVarint(out, v < 0 ? -v * 2 - 1 : v * 2); }
  if (w) { dv['setFloat' + w * 8](0, +v, true); for (i = 0; i < w; i++) { out.push(dv.getUint8(i)); } return; }
  if (type === 'string') { b = utf8Encode(String(v)); } else { pbEncodeMsg(b, subProto(proto, root, type), root, v, at); }
  writeVarint(out, b.length);
  for (i = 0; i < b.length; i++) { out.push(b[i]); }
}

function pbDecode(root, route, bytes) { return pbDecodeMsg(new Reader(bytes), root[route], root); }

function pbDecodeMsg(rd, proto, root) {
  var msg = {};
  while (rd.o < rd.end) {
    var key = rd.varint(), wire = key & 7, name = proto.__tags[Math.floor(key / 8)], f = name && proto[name];
    if (!f) { // skip an unknown field
      if (wire === 0) { rd.varint(); } else if (wire === 2) { rd.skip(rd.varint()); }
      else { rd.skip({ 1: 8, 5: 4 }[wire] || Infinity); }
    } else if (f.option !== 'repeated') { msg[name] = pbRead(rd, f.type, proto, root); }
    else {
      var arr = msg[name] || (msg[name] = []);
      for (var n = NUM[f.type] ? rd.varint() : 1; n > 0; n--) { arr.push(pbRead(rd, f.type, proto, root)); }
    }
  }
  return msg;
}

function pbRead(rd, type, proto, root) {
  var n, at, k, w = FLOAT[type];
  if (type === 'uInt32') { return rd.varint(); }
  if (type === 'sInt32' || type === 'int32') { n = rd.varint(); return n % 2 ? -(n + 1) / 2 : n / 2; }
  if (w) { at = rd.skip(w); for (k = 0; k < w; k++) { dv.setUint8(k, rd.b[at + k]); } return dv['getFloat' + w * 8](0, true); }
  var m = type === 'string' ? null : subProto(proto, root, type);
  n = rd.varint(); at = rd.skip(n);
  return m ? pbDecodeMsg(new Reader(rd.b, at, at + n), m, root) : utf8Decode(rd.b, at, at + n);
}

// Delay n: d = min(maxDelay, initialDelay * factor^n), less up to jitter * d.
function backoffDelay(attempt, o, random) {
  var d = Math.min(o.maxDelay, o.initialDelay * Math.pow(o.factor, attempt));
  return Math.round(d * (1 - o.jitter * (random || Math.random)()));
}

/* ---- Conn: one SocketTask ---- */

function notConnected(state) { return Promise.reject(perr('NOT_CONNECTED', 'not connected (' + state + ')')); }
function Conn(wx, url, o, l) {
  this.wx = wx; this.url = url; this.o = o; this.l = l;
  this.state = 'connecting'; this.pending = {}; this.reqId = 0; this.timers = {};
}
var CP = Conn.prototype;

CP.open = function (user) {
  var self = this, o = this.o, to = o.handshakeTimeout, task;
  function failed(m) { self.fail('error', 'CONNECT_FAILED', 'connectSocket: ' + m); }
  return new Promise(function (resolve, reject) {
    self.opened = resolve; self.rejectOpen = reject;
    if (to > 0) { self.timers.hs = setTimeout(function () { self.fail('handshake-timeout', 'HANDSHAKE_TIMEOUT', 'no handshake in ' + to + ' ms'); }, to); }
    try { task = self.wx.connectSocket(merge(merge({ tcpNoDelay: o.tcpNoDelay, perMessageDeflate: o.perMessageDeflate }, o.socketOptions), { url: self.url, fail: function (r) { failed(r && r.errMsg); } })); } catch (e) { return failed(e.message); }
    if (self.state === 'closed') { return; }
    if (!task || !task.onOpen) { return failed('no SocketTask'); }
    self.task = task;
    task.onOpen(function () {
      if (self.state !== 'connecting') { return; }
      self.state = 'handshaking';
      self.sendPkg(PKG.HANDSHAKE, utf8Encode(JSON.stringify({ sys: { type: o.clientType, version: o.clientVersion }, user: user || {} })));
    });
    task.onMessage(function (r) {
      if (self.state === 'closed') { return; }
      try { self.onData(r.data); } catch (e) { self.fail('protocol-error', 'PROTOCOL', e.message); }
    });
    task.onError(function (r) {
      var m = 'socket error: ' + ((r && r.errMsg) || '?');
      if (self.state !== 'open') { return self.fail('error', 'SOCKET_ERROR', m); }
      self.l.onError(perr('SOCKET_ERROR', m));
      // in case no onClose follows
      self.timers.err = self.timers.err || setTimeout(function () { self.finish(null, m, 'error'); }, o.closeWait);
    });
    task.onClose(function (r) { r = r || {}; self.finish(typeof r.code === 'number' ? r.code : null, r.reason || ''); });
  });
};

CP.sendPkg = function (type, body) {
  var self = this;
  function failed(m) { if (self.state !== 'closed') { self.l.onError(perr('SEND_FAILED', 'send: ' + m)); } }
  try { this.task.send({ data: encodePackage(type, body).buffer, fail: function (r) { failed(r && r.errMsg); } }); } catch (e) { failed(e.message); }
};

CP.onData = function (data) {
  var pkgs = decodePackages(data);
  this.lastRecv = Date.now();
  for (var i = 0; i < pkgs.length && this.state !== 'closed'; i++) {
    var p = pkgs[i];
    if (p.type === PKG.HANDSHAKE) { this.onHandshake(JSON.parse(utf8Decode(p.body))); }
    else if (p.type === PKG.DATA && this.state === 'open') { this.onMessage(decodeMessage(p.body)); }
    else if (p.type === PKG.KICK) {
      try { this.kick = JSON.parse(utf8Decode(p.body)) || {}; } catch (e) { this.kick = {}; }
      this.cause = 'kick';
      this.l.onKick(this.kick);
    }
  }
};

CP.onHandshake = function (res) {
  var sys = res.sys || {}, p = sys.protos, why = '', c = res.code;
  if (this.state !== 'handshaking') { return; }
  if (c !== 200) { return this.fail('handshake-error', 'HANDSHAKE_REFUSED', 'handshake code ' + c, { handshakeCode: c, permanent: c === 501 || c === 300 }); }
  if (sys.useDict) { this.dict = sys.routeToCode || sys.dict || {}; this.abbrs = sys.codeToRoute || {}; }
  if (sys.useProto) {
    if (!this.o.protobuf) { why = 'this client has protobuf: false'; }
    else if (!p || !pomeloProtos(p.server) || !pomeloProtos(p.client)) { why = 'no pomelo-protobuf protos (decodeIO?)'; }
    if (why) { return this.fail('handshake-error', 'PROTOBUF_UNSUPPORTED', 'server uses protobuf; ' + why, { permanent: true }); }
    this.protos = p;
  }
  this.sendPkg(PKG.HANDSHAKE_ACK);
  this.state = 'open';
  this.handshake = res;
  clearTimeout(this.timers.hs);
  this.heartbeat = (sys.heartbeat || 0) * 1000;
  if (this.heartbeat > 0) { this.beat(); this.check(); }
  this.opened(res.user || {});
};

function pomeloProtos(p) {
  if (!p) { return false; }
  for (var k in p) { if (!p[k] || typeof p[k].__tags !== 'object') { return false; } }
  return true;
}

// Heartbeat every interval. Nothing received for heartbeatTimeoutFactor (2) intervals
// closes the connection with cause 'heartbeat-timeout'.
CP.beat = function () {
  var self = this;
  this.timers.beat = setTimeout(function () { if (self.state === 'open') { self.sendPkg(PKG.HEARTBEAT); self.beat(); } }, this.heartbeat);
};
CP.check = function () {
  var self = this, limit = this.heartbeat * this.o.heartbeatTimeoutFactor;
  this.timers.check = setTimeout(function () {
    if (self.state !== 'open') { return; }
    if (Date.now() - self.lastRecv < limit) { self.check(); } else { self.close('heartbeat-timeout', 'heartbeat timeout'); }
  }, Math.max(20, this.lastRecv + limit - Date.now()));
};

CP.onMessage = function (m) {
  var route = m.route, req = this.pending[m.id];
  if (m.type === MSG.RESPONSE) {
    if (!req) { return; } // late answer to a request that timed out
    delete this.pending[m.id];
    clearTimeout(req.timer);
    try { req.resolve(this.decodeBody(req.route, m.body)); } catch (e) { req.reject(e); }
  } else {
    if (m.compressRoute && !(route = this.abbrs && this.abbrs[route])) { throw perr('DECODE', 'unknown route code ' + m.route); }
    this.l.onPush(route, this.decodeBody(route, m.body));
  }
};

CP.decodeBody = function (route, b) {
  if (this.protos && this.protos.server[route]) { return pbDecode(this.protos.server, route, b); }
  return b.length ? JSON.parse(utf8Decode(b)) : {};
};

CP.send = function (type, route, msg, timeout) {
  var self = this, id = 0, pc = this.protos && this.protos.client, body;
  if (this.state !== 'open') { return notConnected(this.state); }
  try {
    if (!route || typeof route !== 'string') { throw perr('ENCODE', 'route must be a string'); }
    msg = msg === undefined || msg === null ? {} : msg;
    body = pc && pc[route] ? pbEncode(pc, route, msg) : utf8Encode(JSON.stringify(msg));
    if (type === MSG.REQUEST) { id = this.reqId = this.reqId % 0x7fffffff + 1; }
    body = encodeMessage(id, type, (this.dict && this.dict[route]) || route, body);
  } catch (e) { return Promise.reject(e); }
  if (type === MSG.NOTIFY) { this.sendPkg(PKG.DATA, body); return Promise.resolve(); }
  return new Promise(function (resolve, reject) {
    var req = self.pending[id] = { route: route, resolve: resolve, reject: reject };
    if (timeout > 0) {
      req.timer = setTimeout(function () {
        delete self.pending[id];
        reject(perr('TIMEOUT', route + ' timed out after ' + timeout + ' ms', { route: route }));
      }, timeout);
    }
    self.sendPkg(PKG.DATA, body);
  });
};

// Our failure: rejects open() or, once open, emits error; then closes.
CP.fail = function (cause, code, message, extra) {
  if (this.state === 'closed') { return; }
  var e = perr(code, message + ' (' + this.url + ')', extra);
  if (this.handshake) { this.l.onError(e); } else { this.openError = e; }
  this.close(cause, cause);
};

// finish() follows on onClose, or after closeWait.
CP.close = function (cause, reason) {
  var self = this;
  this.cause = this.cause || cause;
  if (this.state === 'closed' || this.state === 'closing') { return; }
  this.state = 'closing';
  this.stop();
  if (!this.task) { return this.finish(null, reason); }
  try { this.task.close({ code: 1000, reason: reason }); } catch (e) { /* closed */ }
  this.timers.wait = setTimeout(function () { self.finish(1000, reason); }, this.o.closeWait);
};

CP.stop = function () { for (var k in this.timers) { clearTimeout(this.timers[k]); } };
CP.finish = function (code, reason, cause) {
  if (this.state === 'closed') { return; }
  this.state = 'closed';
  this.stop();
  var info = { cause: this.cause || cause || (code === null ? 'error' : 'remote'), code: code, reason: reason, url: this.url };
  if (this.kick) { info.kick = this.kick; }
  var e = perr('CLOSED', 'closed: ' + info.cause + ', code ' + code, { close: info });
  for (var id in this.pending) { clearTimeout(this.pending[id].timer); this.pending[id].reject(e); }
  this.pending = {};
  if (this.handshake) { return this.l.onClose(info); }
  e = this.openError || perr('CONNECT_FAILED', 'closed before handshake, code ' + code + ' (' + this.url + ')');
  e.close = info;
  this.rejectOpen(e);
};

/* ---- Client ---- */

var DEFAULTS = {
  requestTimeout: 10000, handshakeTimeout: 10000, heartbeatTimeoutFactor: 2, closeWait: 3000, protobuf: true,
  clientType: 'wx-websocket', clientVersion: VERSION, tcpNoDelay: true, perMessageDeflate: false, socketOptions: {},
  gateRoute: 'gate.gateHandler.queryEntry', entryRoute: 'connector.entryHandler.entry',
  reconnect: { enabled: true, initialDelay: 1000, maxDelay: 30000, factor: 2, jitter: 0.5, maxAttempts: 0 }
};

function merge(a, b) {
  var r = {}, k;
  for (k in a) { r[k] = a[k]; }
  for (k in b) { if (b[k] !== undefined) { r[k] = b[k]; } }
  return r;
}

function Client(options) {
  var o = this.options = merge(DEFAULTS, options), r = o.reconnect;
  o.reconnect = merge(DEFAULTS.reconnect, r === false ? { enabled: false } : r);
  this.handlers = {};
  this.conn = this.target = this.timer = null;
  this.state = 'idle'; // idle | connecting | open | reconnecting | closed
  this.attempt = 0;
}
var P = Client.prototype;

P.on = function (name, fn) { (this.handlers[name] = this.handlers[name] || []).push(fn); return this; };
P.off = function (name, fn) {
  this.handlers[name] = fn ? (this.handlers[name] || []).filter(function (f) { return f !== fn; }) : [];
  return this;
};
P.emit = function (name, arg) {
  var l = (this.handlers[name] || []).slice();
  if (name === 'error' && !l.length) { console.warn('[pomelo-wx]', arg); }
  for (var i = 0; i < l.length; i++) {
    try { l[i].call(this, arg); } catch (e) { if (name !== 'error') { this.emit('error', e); } }
  }
};

P.connect = function (url, opts, main) {
  var self = this, w = this.options.wx || (typeof wx !== 'undefined' ? wx : 0), c; // eslint-disable-line no-undef
  if (!w || !w.connectSocket) { throw perr('NO_WX', 'no wx.connectSocket; pass createClient({ wx })'); }
  function on(f) { return function (a, b) { if (main && self.conn === c) { f.call(self, a, b); } }; }
  return (c = new Conn(w, url, merge(this.options, opts), {
    onPush: on(P.emit), onError: on(function (e) { this.emit('error', e); }),
    onKick: on(function (k) { this.emit('kick', k); }), onClose: on(P.closed)
  }));
};

// Connects to url and handshakes; resolves with the handshake user data.
P.init = function (opts) { return this.start({ kind: 'url', opts: opts || {} }, 'url'); };
// Gate query, {host, port} through urlTemplate, connect, then entry.
P.connectViaGate = function (opts) { return this.start({ kind: 'gate', opts: opts || {} }, 'gateUrl'); };

P.start = function (t, need) {
  var self = this;
  if (!t.opts[need]) { return Promise.reject(perr('BAD_ARGUMENT', need + ' is required')); }
  clearTimeout(this.timer);
  this.target = t;
  this.state = 'connecting';
  return this.run(t).then(function (r) {
    if (self.target === t) { t.established = true; self.state = 'open'; }
    return r;
  }, function (e) {
    if (self.target === t) { self.state = 'closed'; }
    throw e;
  });
};

P.run = function (t) { return t.kind === 'gate' ? this.viaGate(t) : this.openMain(t.opts.url, t.opts); };

P.openMain = function (url, opts) {
  var self = this, c, old = this.conn;
  this.conn = null;
  if (old) { old.close('app', 'replaced'); }
  try { c = this.conn = this.connect(url, opts, true); } catch (e) { return Promise.reject(e); }
  return c.open(opts.user).then(null, function (e) {
    if (self.conn === c) { self.conn = null; }
    throw e;
  });
};

P.viaGate = function (t) {
  var self = this, opts = t.opts, o = this.options, g, found, tmo = opts.timeout;
  try { g = this.connect(opts.gateUrl, opts, false); } catch (e) { return Promise.reject(e); }
  return g.open(opts.user).then(function () {
    return g.send(MSG.REQUEST, opts.gateRoute || o.gateRoute, opts.query, tmo === undefined ? o.requestTimeout : tmo);
  }).then(function (a) {
    g.close('app', 'gate done');
    if (!a || a.code !== 200 || !a.port) { throw perr('GATE_REFUSED', 'gate answered ' + JSON.stringify(a), { answer: a }); }
    if (self.target !== t) { throw perr('CANCELLED', 'cancelled by disconnect() or a new connect'); }
    found = { url: mapEntryUrl(opts.urlTemplate || o.urlTemplate, a), host: a.host, port: a.port, gate: a };
    return self.openMain(found.url, opts);
  }, function (e) { g.close('app', 'gate failed'); throw e; }).then(function (user) {
    var en = opts.entry || {};
    found.handshake = user;
    return self.request(en.route || (typeof en === 'string' && en) || o.entryRoute, en.msg || opts.query, { timeout: tmo });
  }).then(function (res) { found.entry = res; return found; });
};

// Fills each {field} from the gate answer, or calls the template.
function mapEntryUrl(template, a) {
  if (typeof template === 'function') { return template(a); }
  if (!template) { throw perr('BAD_ARGUMENT', 'no urlTemplate, e.g. wss://game.example.com/ws/{port}/'); }
  return template.replace(/\{(\w+)\}/g, function (m, k) { return a[k] !== undefined ? a[k] : m; });
}

P.request = function (route, msg, opts) {
  var t = opts && opts.timeout !== undefined ? opts.timeout : this.options.requestTimeout;
  return this.conn ? this.conn.send(MSG.REQUEST, route, msg, t) : notConnected(this.state);
};
P.notify = function (route, msg) { return this.conn ? this.conn.send(MSG.NOTIFY, route, msg) : notConnected(this.state); };

P.closed = function (info) {
  var t = this.target;
  this.conn = null;
  if (this.state === 'reconnecting' && info.cause !== 'kick') { return; } // the attempt reschedules
  info.willReconnect = !!(this.options.reconnect.enabled && t && t.established && info.cause !== 'app' && info.cause !== 'kick');
  this.state = info.willReconnect ? 'reconnecting' : 'closed';
  this.emit('close', info);
  this.attempt = 0;
  if (info.willReconnect) { this.schedule(t, info); }
};

P.schedule = function (t, last) {
  var self = this, r = this.options.reconnect, delay;
  if (this.target !== t || this.state !== 'reconnecting') { return; } // disconnect() was called
  if (last.permanent || (r.maxAttempts > 0 && this.attempt >= r.maxAttempts)) {
    this.state = 'closed';
    return this.emit('reconnect_failed', { attempts: this.attempt, last: last });
  }
  delay = backoffDelay(this.attempt++, r, this.options.random);
  this.emit('reconnecting', { attempt: this.attempt, delay: delay, last: last });
  this.timer = setTimeout(function () {
    if (self.target !== t) { return; }
    self.run(t).then(function (result) {
      if (self.target !== t) { return; }
      self.state = 'open';
      self.emit('reconnect', { attempt: self.attempt, url: self.conn && self.conn.url, result: result });
      self.attempt = 0;
    }, function (e) {
      var c = self.conn;
      if (self.target !== t) { return; }
      if (c) { self.conn = null; c.close('app', 'entry failed'); }
      self.schedule(t, e);
    });
  }, delay);
};

// The app's own close: never reconnects. Resolves once closed.
P.disconnect = function () {
  var self = this, c = this.conn;
  clearTimeout(this.timer);
  this.target = this.conn = null;
  this.state = 'closed';
  return !c || c.state === 'closed' ? Promise.resolve(null) : new Promise(function (resolve) {
    var rej = c.rejectOpen;
    c.l.onClose = function (info) { info.willReconnect = false; self.emit('close', info); resolve(info); };
    c.rejectOpen = function (e) { resolve(null); rej(e); };
    c.close('app', 'client disconnect');
  });
};

var main, api = module.exports = {
  VERSION: VERSION,
  Client: Client,
  createClient: function (options) { return new Client(options); },
  // internals, for tests and tools
  codec: {
    encodePackage: encodePackage, decodePackages: decodePackages, encodeMessage: encodeMessage,
    decodeMessage: decodeMessage, utf8Encode: utf8Encode, utf8Decode: utf8Decode, pbEncode: pbEncode, pbDecode: pbDecode,
    backoffDelay: backoffDelay, mapEntryUrl: mapEntryUrl
  }
};

// The default client on the global wx, made on first use.
['init', 'connectViaGate', 'request', 'notify', 'on', 'off', 'disconnect'].forEach(function (k) {
  api[k] = function () {
    var c = main || (main = new Client()), r = c[k].apply(c, arguments);
    return r === c ? api : r;
  };
});
