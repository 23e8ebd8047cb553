#!/bin/sh
# Ping-pong throughput through the gateway with and without the Pomelo observer, in one run.
# Usage: bench/observer-overhead.sh [-Dconnections=32] [-DroundSeconds=10] [-Drounds=4]
set -e
cd "$(dirname "$0")/.."
./mvnw -q -B compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
exec java -Xms512m -Xmx512m "$@" -cp "target/classes:$(cat target/bench.classpath)" bench/ObserverBench.java
