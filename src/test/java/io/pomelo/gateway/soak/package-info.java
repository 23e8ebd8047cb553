/**
 * The bounded soak run ({@code bench/soak.sh}): not part of the test suite, but built
 * from the same test support, against the packaged jar.
 */
package io.pomelo.gateway.soak;
