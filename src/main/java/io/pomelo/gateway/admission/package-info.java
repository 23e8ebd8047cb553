/**
 * Who may hold what on the data port: the client address (TCP peer, PROXY protocol or a
 * trusted X-Forwarded-For), the limits checked at accept before any TLS work, and the
 * session and handshake rate limits checked on each upgrade. The state kept per address
 * is bounded whatever the number of distinct sources.
 */
package io.pomelo.gateway.admission;
