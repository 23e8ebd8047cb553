/**
 * The WebSocket relay: connect the backend first, then upgrade the client, then pass frames one for
 * one in both directions and carry close codes across. Every live session is in the
 * {@link io.pomelo.gateway.relay.SessionRegistry}, the single source of truth for metrics, the admin
 * API and draining.
 */
package io.pomelo.gateway.relay;
