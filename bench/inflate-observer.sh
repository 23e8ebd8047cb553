#!/usr/bin/env bash
# What pomelo.gateway.pomelo.inflate costs: CPU per message and memory per compressed session, with
# the Pomelo observer inflating permessage-deflate messages and without. Not a test: prints a table.
# Usage: bench/inflate-observer.sh [-Dmessages=2000] [-Drounds=20] [-Dsessions=5000]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xms1g -Xmx1g -Dio.netty.leakDetection.level=disabled "$@" \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.pomelo.gateway.pomelo.InflateObserverBenchmark
