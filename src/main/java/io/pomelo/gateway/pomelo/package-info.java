/**
 * The Pomelo wire protocol: package headers, message headers with varint ids and routes,
 * and the handshake JSON. The gateway observes these; it never rewrites them.
 */
package io.pomelo.gateway.pomelo;
