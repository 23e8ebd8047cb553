/**
 * Routes that follow a Pomelo cluster: the master's admin console tells which frontend
 * servers run, and each becomes a read-only route of its own and part of its server
 * type's balanced route.
 */
package io.pomelo.gateway.discovery;
