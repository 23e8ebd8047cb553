#!/usr/bin/env bash
# Direct vs nginx vs the gateway jar, side by side in one interleaved run (medians of several rounds):
#   - ping-pong at 64 B and 4 KiB with 50 and 500 connections (ws), and wss rows: msg/s, p50/p99/p999,
#     msg per proxy CPU-second;
#   - idle memory per connection at 10,000 idle connections (RSS; heap and direct buffers of the JVM);
#   - handshakes/s with 50 in flight (open, one 64 B echo, close) and proxy CPU per handshake, ws and wss;
#   - gateway start-up to the first relayed echo and its idle RSS: fat jar, extracted, extracted + CDS.
# Prints one table and writes target/bench/nginx-compare.json and .svg (about 12 min on 2 cores).
#
# Usage: bench/nginx-compare.sh [--publish] [-Dname=value ...]
#   --publish  also copy the JSON and SVG to bench/results/ (the chart the README shows)
#   -D...      rounds=3 roundSeconds=5 payloads=64,4096 connections=50,500 tlsRows=64x50,4096x500
#              warmupSeconds=3 gatewayWarmupSeconds=30 idleConnections=10000 idleSettleSeconds=3
#              handshakeCount=20000 handshakeSeconds=5 handshakeInFlight=50 tlsHandshakes=true
#              startupSamples=3 startupSettleSeconds=2 cds=true gatewayJvmArgs="..." (0 or empty skips a part)
# Not part of the test run (NginxCompareBenchSmokeIntegrationTests runs it at smoke size). Installs
# nginx-light when nginx is missing. Run it as root on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
publish=false
jvm_args=()
for arg in "$@"; do
  if [[ $arg == --publish ]]; then publish=true; else jvm_args+=("$arg"); fi
done
if ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
fi
./mvnw -q -B -DskipTests package
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
jar=$(ls target/pomelo-wx-gateway-*.jar | grep -v -e '-plain\.jar$' | head -1)
java -Xmx1g ${jvm_args[@]+"${jvm_args[@]}"} -cp "target/classes:$(cat target/bench.classpath)" \
  bench/NginxCompareBench.java "$jar"
if $publish; then
  mkdir -p bench/results
  cp target/bench/nginx-compare.json target/bench/nginx-compare.svg bench/results/
  echo "copied to bench/results/"
fi
