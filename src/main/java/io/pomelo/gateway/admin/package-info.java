/**
 * The control plane on the management port: the admin REST API over the route table, the
 * session registry and servers.json import, the operator console that is a browser client
 * of that API, and the security of the port. Its controllers live in the management child
 * context only, so nothing here is reachable through the data port.
 */
package io.pomelo.gateway.admin;
