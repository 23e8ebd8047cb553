/**
 * Security of the control plane: admin users and roles, and the target policy that keeps
 * the admin API from becoming an open proxy.
 */
package io.pomelo.gateway.security;
