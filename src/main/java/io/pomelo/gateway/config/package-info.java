/**
 * The typed configuration tree ({@code pomelo.gateway.*}) and how it maps onto Spring
 * Boot's own keys.
 */
package io.pomelo.gateway.config;
