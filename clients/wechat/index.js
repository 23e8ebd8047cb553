// pomelo-wx-client: a Pomelo client for WeChat mini-programs over wx.connectSocket (SocketTask,
// base library 1.7.0+). CommonJS, ES5, no dependencies, no Node APIs. See README.md and index.d.ts.
'use strict';

var VERSION = '0.1.0';
var PKG = { HANDSHAKE: 1, HANDSHAKE_ACK: 2, HEARTBEAT: 3, DATA: 4, KICK: 5 };
var MSG = { REQUEST: 0, NOTIFY: 1, RESPONSE: 2, PUSH: 3 };

function perr(code, message, extra) {
  var e = new Error(message);
  e.name = 'PomeloError';
  e.code = code;
  for (var k in extra || {}) { e[k] = extra[k]; }
  return e;
}

/* ---- bytes: UTF-8, varints, a reader ---- */

function utf8Encode(s) {
  var out = [];
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i), d = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + d - 0xdc00; i++; }
    else if (c >= 0xd800 && c < 0xe000) { c = 0xfffd; } // lone surrogate, as Node's Buffer does
    if (c < 0x80) { out.push(c); }
    else if (c < 0x800) { out.push(0xc0 | c >> 6, 0x80 | c & 63); }
    else if (c < 0x10000) { out.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63); }
    else { out.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63); }
  }
  return out;
}

function utf8Decode(b, i, n) {
  var s = '', u = [];
  i = i || 0; n = n === undefined ? b.length : n;
  while (i < n) {
    var c = b[i++], need = c >= 0xf5 ? 0 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0, min = [0, 0x80, 0x800, 0x10000][need];
    if (need) {
      c &= 0x3f >> need;
      for (var j = 0; j < need; j++, i++) {
        if (i >= n || (b[i] & 0xc0) !== 0x80) { c = -1; break; }
        c = c << 6 | b[i] & 63;
      }
      if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) { c = 0xfffd; }
    } else if (c >= 0x80) { c = 0xfffd; }
    if (c >= 0x10000) { c -= 0x10000; u.push(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); } else { u.push(c); }
    if (u.length > 4096) { s += String.fromCharCode.apply(null, u); u = []; }
  }
  return s + String.fromCharCode.apply(null, u);
}

function writeVarint(out, n) { // unsigned integers up to 2^53, 7 bits a byte, low group first
  if (typeof n !== 'number' || !(n >= 0) || Math.floor(n) !== n) { throw perr('ENCODE', 'not an unsigned integer: ' + n); }
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

function toBytes(d) { // SocketTask gives an ArrayBuffer for binary frames
  if (d instanceof Uint8Array) { return d; }
  if (typeof d === 'string') { throw perr('DECODE', 'text frame: Pomelo sends binary'); }
  return new Uint8Array(d);
}

/* ---- package: type (1 byte), body length (3 bytes, big-endian), body ---- */

function encodePackage(type, body) {
  var len = body ? body.length : 0;
  if (len > 0xffffff) { throw perr('ENCODE', 'package body over 16 MiB'); }
  var out = new Uint8Array(4 + len);
  out[0] = type; out[1] = len >> 16 & 255; out[2] = len >> 8 & 255; out[3] = len & 255;
  if (len) { out.set(body, 4); }
  return out;
}

function decodePackages(data) {
  var b = toBytes(data), list = [], o = 0;
  while (o < b.length) {
    var len = (b[o + 1] << 16 | b[o + 2] << 8 | b[o + 3]) >>> 0;
    if (o + 4 > b.length || o + 4 + len > b.length) { throw perr('DECODE', 'truncated package'); }
    list.push({ type: b[o], body: b.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return list;
}

/* ---- message: flag, id (varint), route (code or text), body ---- */

function encodeMessage(id, type, route, body) { // route: dictionary code (number) or text
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
  var res = new Uint8Array(out.length + (body ? body.length : 0));
  res.set(out);
  if (body) { res.set(body, out.length); }
  return res;
}

function decodeMessage(b) {
  var rd = new Reader(b), flag = rd.byte(), type = flag >> 1 & 7, m = { id: 0, type: type, compressRoute: flag & 1, route: null };
  if (flag & 0x10) { throw perr('DECODE', 'gzip-compressed messages are not supported'); }
  if (type === MSG.REQUEST || type === MSG.RESPONSE) { m.id = rd.varint(); }
  if (type !== MSG.RESPONSE) {
    if (m.compressRoute) { m.route = rd.byte() << 8 | rd.byte(); }
    else { var len = rd.byte(), at = rd.skip(len); m.route = utf8Decode(b, at, at + len); }
  }
  m.body = b.subarray(rd.o);
  return m;
}

/* ---- protobuf, wire-compatible with pomelo-protobuf ----
 * Protos come parsed in the handshake: per route, fields {option, type, tag}, __messages
 * and __tags. As in pomelo-protobuf, int32 is zigzag like sInt32, and repeated numbers
 * are packed as key, element COUNT, elements. */

var WIRE = { uInt32: 0, sInt32: 0, int32: 0, double: 1, string: 2, float: 5 };
var NUM = { uInt32: 1, sInt32: 1, int32: 1, float: 1, double: 1 };
var dv = new DataView(new ArrayBuffer(8));

function subProto(proto, root, type) {
  var m = (proto.__messages || {})[type] || root['message ' + type];
  if (!m) { throw perr('PROTOBUF', 'unsupported protobuf type ' + type); }
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
  var b = [], i;
  if (type === 'uInt32') { return writeVarint(out, +v); }
  if (type === 'sInt32' || type === 'int32') { v = +v; return writeVarint(out, v < 0 ? -v * 2 - 1 : v * 2); }
  if (type === 'float') { dv.setFloat32(0, +v, true); } else if (type === 'double') { dv.setFloat64(0, +v, true); }
  if (type === 'float' || type === 'double') { for (i = 0; i < (type === 'float' ? 4 : 8); i++) { out.push(dv.getUint8(i)); } return; }
  if (type === 'string') { b = utf8Encode(String(v)); } else { pbEncodeMsg(b, subProto(proto, root, type), root, v, at); }
  writeVarint(out, b.length);
  for (i = 0; i < b.length; i++) { out.push(b[i]); }
}

function pbDecode(root, route, bytes) { return pbDecodeMsg(new Reader(bytes), root[route], root); }

function pbDecodeMsg(rd, proto, root) {
  var msg = {};
  while (rd.o < rd.end) {
    var key = rd.varint(), wire = key & 7, name = proto.__tags[Math.floor(key / 8)], f = name && proto[name];
    if (!f) { // unknown field: skip it
      if (wire === 0) { rd.varint(); } else if (wire === 2) { rd.skip(rd.varint()); }
      else if (wire === 1 || wire === 5) { rd.skip(wire === 1 ? 8 : 4); } else { throw perr('DECODE', 'bad wire type ' + wire); }
    } else if (f.option !== 'repeated') { msg[name] = pbRead(rd, f.type, proto, root); }
    else {
      var arr = msg[name] || (msg[name] = []);
      for (var n = NUM[f.type] ? rd.varint() : 1; n > 0; n--) { arr.push(pbRead(rd, f.type, proto, root)); }
    }
  }
  return msg;
}

function pbRead(rd, type, proto, root) {
  var n, at, k;
  if (type === 'uInt32') { return rd.varint(); }
  if (type === 'sInt32' || type === 'int32') { n = rd.varint(); return n % 2 ? -(n + 1) / 2 : n / 2; }
  if (type === 'float' || type === 'double') {
    n = type === 'float' ? 4 : 8; at = rd.skip(n);
    for (k = 0; k < n; k++) { dv.setUint8(k, rd.b[at + k]); }
    return n === 4 ? dv.getFloat32(0, true) : dv.getFloat64(0, true);
  }
  var m = type === 'string' ? null : subProto(proto, root, type);
  n = rd.varint(); at = rd.skip(n);
  return m ? pbDecodeMsg(new Reader(rd.b, at, at + n), m, root) : utf8Decode(rd.b, at, at + n);
}

/* ---- reconnect backoff: exponential, capped, jitter takes off up to `jitter` of it ---- */

function backoffDelay(attempt, o, random) { // attempt is 0-based; result in [d * (1 - jitter), d]
  var d = Math.min(o.maxDelay, o.initialDelay * Math.pow(o.factor, attempt));
  return Math.round(d * (1 - o.jitter * (random || Math.random)()));
}

/* ---- Conn: one SocketTask speaking Pomelo ---- */

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
    // socketOptions (header, protocols, tcpNoDelay, perMessageDeflate, timeout) go to wx as they are
    try { task = self.wx.connectSocket(merge(o.socketOptions, { url: self.url, fail: function (r) { failed(r && r.errMsg); } })); } catch (e) { return failed(e.message); }
    if (self.state === 'closed') { return; }
    if (!task || !task.onOpen) { return failed('no SocketTask (base library 1.7.0+ needed)'); }
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
      // some runtimes report an error and never a close: then finish it ourselves
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
  this.lastRecv = Date.now(); // any package, heartbeats included, proves the link is alive
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
  var sys = res.sys || {}, p = sys.protos, why = '', old = res.code === 501 || res.code === 300;
  if (this.state !== 'handshaking') { return; }
  if (res.code !== 200) {
    return this.fail('handshake-error', 'HANDSHAKE_REFUSED', 'handshake refused, code ' + res.code +
      (old ? ': client type/version refused' : ': server handshake hook failed'), { handshakeCode: res.code, permanent: old });
  }
  if (sys.useDict) { this.dict = sys.routeToCode || sys.dict || {}; this.abbrs = sys.codeToRoute || {}; }
  if (sys.useProto) {
    if (!this.o.protobuf) { why = 'the server uses protobuf and this client has protobuf: false'; }
    else if (!p || !p.server || !p.client) { why = 'the server uses protobuf but sent no protos'; }
    else if (!pomeloProtos(p.server) || !pomeloProtos(p.client)) { why = 'the protos are not pomelo-protobuf (decodeIO?)'; }
    if (why) { return this.fail('handshake-error', 'PROTOBUF_UNSUPPORTED', 'refused: ' + why, { permanent: true }); }
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
  for (var k in p) { if (!p[k] || typeof p[k].__tags !== 'object') { return false; } }
  return true;
}

// Heartbeat: one every interval. Nothing received for heartbeatTimeoutFactor (2) intervals
// closes the connection with cause 'heartbeat-timeout'.
CP.beat = function () {
  var self = this;
  this.timers.beat = setTimeout(function () { if (self.state === 'open') { self.sendPkg(PKG.HEARTBEAT); self.beat(); } }, this.heartbeat);
};
CP.check = function () {
  var self = this, limit = this.heartbeat * this.o.heartbeatTimeoutFactor;
  this.timers.check = setTimeout(function () {
    if (self.state !== 'open') { return; }
    if (Date.now() - self.lastRecv < limit) { return self.check(); }
    self.l.onError(perr('HEARTBEAT_TIMEOUT', 'nothing from the server for ' + limit + ' ms'));
    self.close('heartbeat-timeout', 'heartbeat timeout');
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
    if (typeof route !== 'string' || !route) { throw perr('ENCODE', 'route must be a non-empty string'); }
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

// A failure on our side: rejects open() while opening, is an 'error' event once open; then closes.
CP.fail = function (cause, code, message, extra) {
  if (this.state === 'closed') { return; }
  var e = perr(code, message + ' (' + this.url + ')', extra);
  if (this.handshake) { this.l.onError(e); } else { this.openError = e; }
  this.close(cause, cause);
};

// Closes on our decision; finish() follows on the task's onClose, or after closeWait.
CP.close = function (cause, reason) {
  var self = this;
  this.cause = this.cause || cause;
  if (this.state === 'closed' || this.state === 'closing') { return; }
  this.state = 'closing';
  this.stop();
  if (!this.task) { return this.finish(null, reason); }
  try { this.task.close({ code: 1000, reason: reason }); } catch (e) { /* already closed */ }
  this.timers.wait = setTimeout(function () { self.finish(1000, reason); }, this.o.closeWait);
};

CP.stop = function () { for (var k in this.timers) { clearTimeout(this.timers[k]); } };

CP.finish = function (code, reason, cause) {
  if (this.state === 'closed') { return; }
  this.state = 'closed';
  this.stop();
  var info = { cause: this.cause || cause || (code === null ? 'error' : 'remote'), code: code, reason: reason, url: this.url };
  if (this.kick) { info.kick = this.kick; }
  var e = perr('CLOSED', 'connection closed: ' + info.cause + (code === null ? '' : ', code ' + code), { close: info });
  for (var id in this.pending) { clearTimeout(this.pending[id].timer); this.pending[id].reject(e); }
  this.pending = {};
  if (this.handshake) { return this.l.onClose(info); }
  e = this.openError || perr('CONNECT_FAILED', 'closed before handshake, code ' + code + ' ' + reason + ' (' + this.url + ')');
  e.close = info;
  this.rejectOpen(e);
};

/* ---- Client ---- */

var DEFAULTS = {
  requestTimeout: 10000, handshakeTimeout: 10000, heartbeatTimeoutFactor: 2, closeWait: 3000, protobuf: true,
  clientType: 'wx-websocket', clientVersion: VERSION, socketOptions: { tcpNoDelay: true },
  gateRoute: 'gate.gateHandler.queryEntry', entryRoute: 'connector.entryHandler.entry',
  reconnect: { enabled: true, initialDelay: 1000, maxDelay: 30000, factor: 2, jitter: 0.5, maxAttempts: 0 }
};

function merge(a, b) {
  var r = {}, k;
  for (k in a) { r[k] = a[k]; }
  for (k in b || {}) { if (b[k] !== undefined) { r[k] = b[k]; } }
  return r;
}

function Client(options) {
  var o = this.options = merge(DEFAULTS, options), r = options && options.reconnect;
  o.reconnect = merge(DEFAULTS.reconnect, r === false ? { enabled: false } : r);
  this.handlers = {};
  this.conn = this.target = this.timer = null;
  this.state = 'idle'; // idle | connecting | open | reconnecting | closed
  this.attempt = 0;
}
var P = Client.prototype;

P.on = function (name, fn) { (this.handlers[name] = this.handlers[name] || []).push(fn); return this; };
P.off = function (name, fn) {
  var l = this.handlers[name] || [];
  for (var i = l.length - 1; i >= 0; i--) { if (!fn || l[i] === fn) { l.splice(i, 1); } }
  return this;
};
P.emit = function (name, arg) {
  var l = (this.handlers[name] || []).slice();
  if (name === 'error' && !l.length && typeof console !== 'undefined') { console.warn('[pomelo-wx]', arg); }
  for (var i = 0; i < l.length; i++) {
    try { l[i].call(this, arg); } catch (e) { if (name !== 'error') { this.emit('error', e); } }
  }
};

P.conn4 = function (url, opts, main) {
  var self = this, w = this.options.wx || (typeof wx !== 'undefined' ? wx : 0), c; // eslint-disable-line no-undef
  if (!w || !w.connectSocket) { throw perr('NO_WX', 'no wx.connectSocket: run in a mini-program or pass createClient({ wx })'); }
  function on(f) { return function (a, b) { if (main && self.conn === c) { f(a, b); } }; }
  return (c = new Conn(w, url, merge(this.options, opts), {
    onPush: on(function (route, body) { self.emit(route, body); }),
    onKick: on(function (k) { self.emit('kick', k); }),
    onError: on(function (e) { self.emit('error', e); }),
    onClose: on(function (info) { self.onMainClose(info); })
  }));
};

// Connects to `url` and handshakes. Resolves with the handshake's user data.
P.init = function (opts) {
  var self = this, t = { kind: 'url', opts: opts || {} };
  if (!t.opts.url) { return Promise.reject(perr('BAD_ARGUMENT', 'init needs { url }')); }
  this.begin(t);
  return this.openMain(t.opts.url, t.opts).then(function (user) { return self.done(t, user); });
};

// Asks the gate for a connector, maps {host, port} through urlTemplate, connects, calls entry.
P.connectViaGate = function (opts) {
  var self = this, t = { kind: 'gate', opts: opts || {} };
  if (!t.opts.gateUrl) { return Promise.reject(perr('BAD_ARGUMENT', 'connectViaGate needs { gateUrl }')); }
  this.begin(t);
  return this.viaGate(t).then(function (r) { return self.done(t, r); });
};

P.begin = function (t) {
  this.stopReconnect();
  this.target = t;
  this.state = 'connecting';
};
P.done = function (t, result) {
  if (this.target === t) { t.established = true; this.state = 'open'; }
  return result;
};

P.openMain = function (url, opts) {
  var self = this, c, old = this.conn;
  this.conn = null;
  if (old) { old.close('app', 'replaced'); }
  try { c = this.conn = this.conn4(url, opts, true); } catch (e) { return Promise.reject(e); }
  return c.open(opts.user).then(null, function (e) {
    if (self.conn === c) { self.conn = null; }
    throw e;
  });
};

P.viaGate = function (t) {
  var self = this, opts = t.opts, o = this.options, gate, found, tmo = opts.timeout;
  try { gate = this.conn4(opts.gateUrl, opts, false); } catch (e) { return Promise.reject(e); }
  return gate.open(opts.user).then(function () {
    return gate.send(MSG.REQUEST, opts.gateRoute || o.gateRoute, opts.query || {}, tmo === undefined ? o.requestTimeout : tmo);
  }).then(function (a) {
    gate.close('app', 'gate done');
    if (!a || a.code !== 200 || !a.port) { throw perr('GATE_REFUSED', 'gate answered ' + JSON.stringify(a), { answer: a }); }
    if (self.target !== t) { throw perr('CANCELLED', 'superseded by disconnect() or a new connect'); }
    found = { url: mapEntryUrl(opts.urlTemplate || o.urlTemplate, a), host: a.host, port: a.port, gate: a };
    return self.openMain(found.url, opts);
  }, function (e) { gate.close('app', 'gate failed'); throw e; }).then(function (user) {
    var en = opts.entry || {}, route = typeof en === 'string' ? en : en.route || o.entryRoute;
    found.handshake = user;
    return self.request(route, en.msg !== undefined ? en.msg : opts.query || {}, { timeout: tmo });
  }).then(function (res) { found.entry = res; return found; });
};

// Replaces {port} and {host} in the template (or calls it, if it is a function).
function mapEntryUrl(template, answer) {
  if (typeof template === 'function') { return template(answer); }
  if (!template) { throw perr('BAD_ARGUMENT', 'no urlTemplate, e.g. wss://game.example.com/ws/{port}/'); }
  return template.replace(/\{port\}/g, answer.port).replace(/\{host\}/g, answer.host);
}

P.request = function (route, msg, opts) {
  var t = opts && opts.timeout !== undefined ? opts.timeout : this.options.requestTimeout;
  return this.conn ? this.conn.send(MSG.REQUEST, route, msg, t) : notConnected(this.state);
};
P.notify = function (route, msg) { return this.conn ? this.conn.send(MSG.NOTIFY, route, msg) : notConnected(this.state); };

P.onMainClose = function (info) {
  this.conn = null;
  if (this.state === 'reconnecting') { return; } // a reconnect attempt broke mid-way: it schedules the next one
  var t = this.target;
  info.willReconnect = !!(this.options.reconnect.enabled && t && t.established && info.cause !== 'app' && info.cause !== 'kick');
  this.state = info.willReconnect ? 'reconnecting' : 'closed';
  this.emit('close', info);
  if (info.willReconnect && this.target === t) { this.attempt = 0; this.schedule(t, info); }
};

P.schedule = function (t, last) {
  var self = this, r = this.options.reconnect;
  if (r.maxAttempts > 0 && this.attempt >= r.maxAttempts) {
    this.state = 'closed';
    return this.emit('reconnect_failed', { attempts: this.attempt, last: last });
  }
  var delay = backoffDelay(this.attempt++, r, this.options.random);
  this.emit('reconnecting', { attempt: this.attempt, delay: delay, last: last });
  if (this.target !== t || this.state !== 'reconnecting') { return; } // a handler called disconnect()
  this.timer = setTimeout(function () {
    self.timer = null;
    (t.kind === 'gate' ? self.viaGate(t) : self.openMain(t.opts.url, t.opts)).then(function (result) {
      if (self.target !== t) { return; }
      self.state = 'open';
      self.emit('reconnect', { attempt: self.attempt, url: self.conn && self.conn.url, result: result });
      self.attempt = 0;
    }, function (e) {
      if (self.target !== t || self.state !== 'reconnecting') { return; }
      if (self.conn) { var c = self.conn; self.conn = null; c.close('app', 'entry failed'); }
      if (e.permanent) { self.state = 'closed'; return self.emit('reconnect_failed', { attempts: self.attempt, last: e }); }
      self.schedule(t, e);
    });
  }, delay);
};

P.stopReconnect = function () { clearTimeout(this.timer); this.timer = null; };

// Closes because the application asks to: never reconnects. Resolves once closed.
P.disconnect = function () {
  var c = this.conn;
  this.stopReconnect();
  this.target = this.conn = null;
  this.state = 'closed';
  if (!c || c.state === 'closed') { return Promise.resolve(null); }
  var self = this;
  return new Promise(function (resolve) {
    c.l.onClose = function (info) { info.willReconnect = false; self.emit('close', info); resolve(info); };
    var rej = c.rejectOpen;
    if (!c.handshake) { c.rejectOpen = function (e) { resolve(null); rej(e); }; }
    c.close('app', 'client disconnect');
  });
};

function createClient(options) { return new Client(options); }

var main;
function client() { return main || (main = new Client()); }

var api = module.exports = {
  VERSION: VERSION,
  createClient: createClient,
  Client: Client,
  // internals, for tests and tools
  codec: {
    PKG: PKG, MSG: MSG, encodePackage: encodePackage, decodePackages: decodePackages, encodeMessage: encodeMessage,
    decodeMessage: decodeMessage, utf8Encode: utf8Encode, utf8Decode: utf8Decode, pbEncode: pbEncode, pbDecode: pbDecode,
    backoffDelay: backoffDelay, mapEntryUrl: mapEntryUrl
  }
};

// The default client (on the global wx, made on first use): pomelo.init(...), pomelo.on(...)
['init', 'connectViaGate', 'request', 'notify', 'on', 'off', 'disconnect'].forEach(function (k) {
  api[k] = function () { var c = client(), r = c[k].apply(c, arguments); return r === c ? api : r; };
});
