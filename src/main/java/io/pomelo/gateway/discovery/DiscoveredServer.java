package io.pomelo.gateway.discovery;

/**
 * A frontend server of a Pomelo cluster, as its master reported it: where clients reach it
 * ({@code clientHost}, else {@code host}, and {@code clientPort}) and which process it is.
 */
record DiscoveredServer(String id, String serverType, String host, int clientPort, long pid) {
}
