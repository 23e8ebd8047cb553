/**
 * Route stores: where dynamic routes live. {@code file} is the embedded default;
 * {@code redis} shares routes between replicas.
 */
package io.pomelo.gateway.store;
