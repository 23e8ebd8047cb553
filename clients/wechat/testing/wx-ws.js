'use strict';
// A `wx` shim for Node tests: wx.connectSocket returns a SocketTask (onOpen, onMessage,
// onClose, onError, send, close) built on the `ws` package, with the mini-program's
// shapes: onMessage gets {data: ArrayBuffer} for binary frames, onClose gets {code, reason},
// callbacks get {errMsg}. It also records every frame both ways, for wire assertions.
const fs = require('fs');
const WebSocket = require('ws');

// PWX_CA_FILE: PEM of the gateway's test certificate, trusted for wss://.
function tlsOptions(env = process.env) {
  if (env.PWX_CA_FILE) return { ca: fs.readFileSync(env.PWX_CA_FILE) };
  return { rejectUnauthorized: false };
}

function createWx(options = {}) {
  const tls = options.tls || tlsOptions();
  const wx = {
    connects: [], // urls passed to connectSocket, in order
    sent: [], // {url, bytes: Uint8Array} sent by the client
    received: [], // {url, bytes: Uint8Array} received by the client
    dropIncoming: false, // when true, incoming frames are swallowed (simulates a dead link)
    tasks: [],
    connectSocket(opts) {
      if (!opts || typeof opts.url !== 'string') throw new TypeError('connectSocket: url is required');
      wx.connects.push(opts.url);
      const handlers = { open: [], message: [], close: [], error: [] };
      const fire = (name, arg) => handlers[name].slice().forEach((f) => f(arg));
      const wsOpts = Object.assign({ perMessageDeflate: !!opts.perMessageDeflate }, tls);
      if (opts.header) wsOpts.headers = opts.header;
      if (opts.timeout) wsOpts.handshakeTimeout = opts.timeout;
      let ws;
      try {
        ws = new WebSocket(opts.url, opts.protocols || [], wsOpts);
      } catch (e) {
        setImmediate(() => opts.fail && opts.fail({ errMsg: 'connectSocket:fail ' + e.message }));
        ws = null;
      }
      const task = {
        url: opts.url,
        ws,
        onOpen: (f) => handlers.open.push(f),
        onMessage: (f) => handlers.message.push(f),
        onClose: (f) => handlers.close.push(f),
        onError: (f) => handlers.error.push(f),
        send({ data, success, fail }) {
          if (!ws || ws.readyState !== WebSocket.OPEN) {
            if (fail) setImmediate(() => fail({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' }));
            return;
          }
          const bytes = typeof data === 'string' ? Buffer.from(data) : new Uint8Array(data.slice(0));
          wx.sent.push({ url: opts.url, bytes });
          ws.send(data, (err) => {
            if (err) { if (fail) fail({ errMsg: 'sendSocketMessage:fail ' + err.message }); } else if (success) success({});
          });
        },
        close({ code, reason, success } = {}) {
          if (!ws) return;
          try { ws.close(code, reason); } catch (e) { ws.terminate(); }
          if (success) setImmediate(() => success({}));
        },
      };
      wx.tasks.push(task);
      if (ws) {
        ws.binaryType = 'arraybuffer';
        ws.on('open', () => fire('open', { header: {} }));
        ws.on('message', (data, isBinary) => {
          if (wx.dropIncoming) return;
          const d = isBinary ? data : data.toString();
          if (isBinary) wx.received.push({ url: opts.url, bytes: new Uint8Array(data.slice(0)) });
          fire('message', { data: d });
        });
        ws.on('error', (e) => fire('error', { errMsg: e.message }));
        ws.on('close', (code, reason) => fire('close', { code, reason: reason.toString() }));
      }
      return task;
    },
    closeAll() {
      for (const t of wx.tasks) if (t.ws) t.ws.terminate();
    },
  };
  return wx;
}

module.exports = { createWx, tlsOptions };
