#!/usr/bin/env bash
# What a connection held in the TLS handshake costs the gateway: starts the packaged jar with TLS (no
# per-address pending limit, a 120 s TLS handshake timeout so that none is cut while counting), opens N
# connections that send a ClientHello and nothing more (as a flood of half-open TLS clients does), and
# prints the gateway's RSS before and with all of them held. The gateway's default
# limits.max-pending-connections (16,384) times this figure is the memory such a flood can take.
#
# Usage: bench/pending-handshakes.sh [N]   (default 16000; needs N + 100 open files, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-16000}
ls target/pomelo-wx-gateway-*.jar >/dev/null 2>&1 || ./mvnw -q -B -DskipTests package
jar=$(ls target/pomelo-wx-gateway-*.jar | grep -v -e '-plain\.jar$' | head -1)
work=$(mktemp -d)
port=18443
management=19090
java -XX:+UseParallelGC -Xms256m -Xmx512m -jar "$jar" --spring.config.location=classpath:/application.yml \
  --server.port=$port --server.address=127.0.0.1 --management.server.port=$management \
  --management.server.address=127.0.0.1 --pomelo.gateway.store.file="$work/routes.json" \
  --pomelo.gateway.tls.certificate=file:src/test/resources/tls/cert.pem \
  --pomelo.gateway.tls.private-key=file:src/test/resources/tls/key.pem \
  --pomelo.gateway.limits.per-address.max-pending=0 --pomelo.gateway.limits.tls-handshake-timeout=120s \
  --logging.level.root=WARN >"$work/gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:$management/actuator/health" && break
  sleep 0.5
done
timeout 300 python3 bench/pending_handshakes.py $port $gateway "$n"
