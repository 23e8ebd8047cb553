/**
 * The WebSocket relay: connect the backend first, then upgrade the client, then pass the
 * bytes of both sockets to each other as a {@link io.pomelo.gateway.relay.Tunnel}, frames
 * one for one and close codes intact, with a {@link io.pomelo.gateway.relay.FrameTracker}
 * per direction for limits, counters and observers. Every live session is in the
 * {@link io.pomelo.gateway.relay.SessionRegistry}, the single source of truth for
 * metrics, the admin API and draining.
 */
package io.pomelo.gateway.relay;
