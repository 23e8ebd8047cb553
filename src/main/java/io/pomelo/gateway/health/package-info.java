/**
 * Health for Kubernetes probes and operators: the readiness state that start-up and drain
 * flip, the route table in the readiness group, and an informational, cached view of
 * which backends accept TCP.
 */
package io.pomelo.gateway.health;
