/**
 * Connection-level meters, named {@code pomelo.gateway.*} and tagged by gateway route:
 * live and opened sessions, closes by code and side, refused handshakes, frames and
 * bytes, and session duration. All of them are fed by the
 * {@link io.pomelo.gateway.relay.SessionRegistry}; Pomelo-level meters live in
 * {@link io.pomelo.gateway.pomelo}.
 */
package io.pomelo.gateway.metrics;
