package io.pomelo.gateway.route;

import java.net.URI;

/**
 * Where one handshake goes: the backend base URI chosen for it and the full URI to request.
 *
 * @param base the target as configured, such as {@code ws://127.0.0.1:3050}
 * @param uri the URI to open, with the (possibly stripped) path and the client's query
 */
public record BackendTarget(URI base, URI uri) {
}
