#!/usr/bin/env bash
# Side-by-side 64 B WebSocket ping-pong: direct, nginx (the seed's location block) and the gateway jar.
# Usage: bench/nginx-compare.sh [-Dconnections=50] [-Dpayload=64] [-DroundSeconds=8] [-Drounds=3]
# Not part of the test run. Installs nginx-light when nginx is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null
fi
./mvnw -q -B -DskipTests package
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
jar=$(ls target/pomelo-wx-gateway-*.jar | grep -v original | head -1)
exec java -Xmx512m "$@" -cp "target/classes:$(cat target/bench.classpath)" bench/NginxCompareBench.java "$jar"
