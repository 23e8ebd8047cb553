/**
 * Reloading the static routes ({@code pomelo.gateway.routes} and {@code port-routes})
 * from the files they were configured in, while the gateway runs: a route change rolled
 * out through Git or Helm then reaches the route table without a restart, so no player is
 * drained to add a connector. A file that does not validate changes nothing. This package
 * sits beside {@code route} and {@code config} rather than in either, because it needs
 * both and neither should need it.
 */
package io.pomelo.gateway.reload;
