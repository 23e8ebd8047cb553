#!/usr/bin/env bash
# Change propagation across two replicas on a real Redis, and route lookup cost with 1,000 routes.
# Not a test: prints a table. Needs redis-server (installed with apt-get when missing, as root).
# Usage: bench/route-store-benchmark.sh [-Dbench.changes=200] [-Dbench.routes=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xmx512m "$@" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.pomelo.gateway.bench.RouteStoreBenchmark
