// pomelo-gateway-discovery: an admin module for a Pomelo 2.x master that lets pomelo-wx-gateway
// follow the cluster by events instead of polling alone. Register it on the master:
//
//   app.configure('production|development', 'master', () => {
//     app.registerAdmin(require('pomelo-gateway-discovery'), { app });
//   });
//
// Console clients (the gateway) call it with {action: 'servers'} for every server with its start
// arguments in one answer, and {action: 'subscribe', clientId} to be told, by notifyClient, when a
// server registers with the master or leaves it. Discovery works without this module; with it,
// changes reach the gateway within a second instead of a poll interval.
'use strict';

const MODULE_ID = 'gatewayDiscovery';

module.exports = function (opts, consoleService) {
  return new Module(opts || {}, consoleService);
};
module.exports.moduleId = MODULE_ID;

function Module(opts, consoleService) {
  this.service = consoleService;
  this.subscribers = new Set();
  // Only the master's console service knows the cluster; on a monitor these never fire.
  consoleService.on('register', (info) => this.announce('register', info && info.id));
  consoleService.on('disconnect', (id) => this.announce('disconnect', id));
}

Module.prototype.clientHandler = function (agent, msg, cb) {
  const action = msg && msg.action;
  if (action === 'subscribe') {
    if (typeof msg.clientId !== 'string' || !msg.clientId) return cb('clientId is required');
    this.subscribers.add(msg.clientId);
    return cb(null, { subscribed: msg.clientId });
  }
  if (action === 'servers') {
    const servers = [];
    for (const id of Object.keys(agent.idMap || {})) {
      const record = agent.idMap[id];
      const info = record.info || {};
      servers.push({
        id: record.id, serverType: record.type, pid: record.pid, host: info.host, port: info.port,
        clientHost: info.clientHost, clientPort: info.clientPort, frontend: info.frontend,
      });
    }
    return cb(null, { servers });
  }
  cb('unknown action: ' + action);
};

// Tells every subscribed console client that the server list changed. A client that has gone is
// unknown to the master; notifyClient then returns false and the subscription is dropped.
Module.prototype.announce = function (event, id) {
  const agent = this.service && this.service.agent;
  if (!agent || typeof agent.notifyClient !== 'function') return;
  for (const clientId of this.subscribers) {
    if (!agent.clients || !agent.clients[clientId]) {
      this.subscribers.delete(clientId);
      continue;
    }
    agent.notifyClient(clientId, MODULE_ID, { event, id: id || null });
  }
};
