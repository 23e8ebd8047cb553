// A `wx` shim for the browser test page: wx.connectSocket over the browser's own WebSocket,
// with the mini-program's SocketTask shapes ({data: ArrayBuffer}, {code, reason}, {errMsg}).
(function () {
  'use strict';
  var wx = {
    connects: [],
    connectSocket: function (opts) {
      wx.connects.push(opts.url);
      var h = { open: [], message: [], close: [], error: [] };
      function fire(name, arg) { h[name].slice().forEach(function (f) { f(arg); }); }
      var ws;
      try {
        ws = new WebSocket(opts.url, opts.protocols || []);
      } catch (e) {
        setTimeout(function () { if (opts.fail) { opts.fail({ errMsg: 'connectSocket:fail ' + e.message }); } });
        ws = null;
      }
      if (ws) {
        ws.binaryType = 'arraybuffer';
        ws.onopen = function () { fire('open', { header: {} }); };
        ws.onmessage = function (e) { fire('message', { data: e.data }); };
        ws.onerror = function () { fire('error', { errMsg: 'WebSocket error' }); };
        ws.onclose = function (e) { fire('close', { code: e.code, reason: e.reason }); };
      }
      return {
        onOpen: function (f) { h.open.push(f); },
        onMessage: function (f) { h.message.push(f); },
        onClose: function (f) { h.close.push(f); },
        onError: function (f) { h.error.push(f); },
        send: function (o) {
          if (!ws || ws.readyState !== 1) { if (o.fail) { o.fail({ errMsg: 'sendSocketMessage:fail not open' }); } return; }
          ws.send(o.data);
          if (o.success) { o.success({}); }
        },
        close: function (o) {
          o = o || {};
          if (ws) { ws.close(o.code || 1000, o.reason || ''); }
        }
      };
    }
  };
  window.wx = wx;
})();
