#!/usr/bin/env bash
# Direct vs nginx vs HAProxy vs the gateway jar, side by side in one interleaved run (medians of several
# rounds):
#   - ping-pong at 64 B and 4 KiB with 50 and 500 connections (ws), and wss rows: msg/s, p50/p99/p999,
#     msg per proxy CPU-second;
#   - idle memory per connection at 10,000 idle connections (RSS; heap and direct buffers of the JVM);
#   - handshakes/s with 50 in flight (open, one 64 B echo, close) and proxy CPU per handshake, ws and wss;
#   - a reconnect storm: 10,000 wss clients at once, with new TLS sessions and with resumed ones: time until
#     all are connected, p99, failures, proxy CPU per client;
#   - gateway start-up to the first relayed echo and its idle RSS: fat jar, extracted, extracted + CDS;
#     nginx and HAProxy for scale.
# Every row has the gateway's ratio to each peer and to the best peer of each figure. Prints one table and
# writes target/bench/proxy-compare.json and .svg (about 16 min on 2 cores).
#
# Usage: bench/proxy-compare.sh [--publish] [--no-build] [-Dname=value ...]
#   --publish   also copy the JSON and SVG to bench/results/ (the chart the README shows)
#   --no-build  use the jar already in target/ and the class path in $BENCH_CLASSPATH instead of running
#               Maven (what ProxyCompareBenchSmokeIntegrationTests does inside ./mvnw verify)
#   -D...       rounds=3 roundSeconds=5 payloads=64,4096 connections=50,500 tlsRows=64x50,4096x500
#               warmupSeconds=3 gatewayWarmupSeconds=30 gatewayHandshakeWarmups=4
#               idleConnections=10000 idleSettleSeconds=3 stormClients=10000 stormInFlight=(all)
#               handshakeCount=20000 handshakeSeconds=5 handshakeInFlight=50 tlsHandshakes=true
#               startupSamples=3 startupSettleSeconds=2 cds=true gatewayJvmArgs="..." workDir=target/bench
#               (0 or empty skips a part)
# The bench is a small source tree, bench/src, compiled here with javac against the gateway's classes
# and runtime class path. Installs nginx-light and haproxy when missing. Run it as root on a quiet
# machine.
set -euo pipefail
cd "$(dirname "$0")/.."
publish=false
build=true
jvm_args=()
for arg in "$@"; do
  case $arg in
    --publish) publish=true ;;
    --no-build) build=false ;;
    *) jvm_args+=("$arg") ;;
  esac
done
install=()
command -v nginx >/dev/null || install+=(nginx-light)
command -v haproxy >/dev/null || install+=(haproxy)
if ((${#install[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${install[@]}" >/dev/null
fi
if $build; then
  ./mvnw -q -B -DskipTests package
  ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
  classpath="target/classes:$(cat target/bench.classpath)"
else
  classpath=${BENCH_CLASSPATH:?--no-build needs the class path in BENCH_CLASSPATH}
fi
jar=$(ls target/pomelo-wx-gateway-*.jar | grep -v -e '-plain\.jar$' | head -1)
rm -rf target/bench-classes
find bench/src -name '*.java' >target/bench-sources.txt
javac -nowarn --release 17 -d target/bench-classes -cp "$classpath" @target/bench-sources.txt
run=(java -Xmx1g ${jvm_args[@]+"${jvm_args[@]}"} -cp "target/bench-classes:$classpath"
  io.pomelo.gateway.bench.ProxyCompareBench "$jar")
if ! $publish; then
  # exec: a SIGTERM (a test's timeout) reaches the bench, which stops the proxies it started.
  exec "${run[@]}"
fi
"${run[@]}"
mkdir -p bench/results
work=target/bench
for arg in ${jvm_args[@]+"${jvm_args[@]}"}; do
  if [[ $arg == -DworkDir=* ]]; then work=${arg#-DworkDir=}; fi
done
cp "$work/proxy-compare.json" "$work/proxy-compare.svg" bench/results/
echo "copied to bench/results/"
