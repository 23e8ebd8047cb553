/**
 * pomelo-wx-gateway: one TLS entry point that relays WebSockets to Pomelo frontend
 * servers.
 */
package io.pomelo.gateway;
