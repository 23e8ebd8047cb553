/**
 * The operator console tested as its users meet it: in a real browser, against a real
 * gateway and a real Pomelo server.
 */
package io.pomelo.gateway.console;
