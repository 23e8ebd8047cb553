#!/usr/bin/env bash
# A bounded soak of the packaged gateway with its default limits (not part of the test run):
#   - 2,000 Pomelo players over wss heartbeating for -Dsoak.minutes (10 by default);
#   - a dynamic route changed every 5 s through the admin API;
#   - one Pomelo connector killed under 500 sessions at half time, restarted, its players back;
#   - from 30 % to 70 % of the run, a slowloris (100 connections, a header byte every 5 s) from one
#     address and a handshake flood (-Dsoak.floodLoops=8 loops of wss connect + upgrade) from another.
# Reports unexpected closes, the gateway's sessions, open files, heap after GC and Netty memory before
# and after, and a well-behaved client's handshake times during the flood, in target/soak/soak.json.
#
# Usage: bench/soak.sh [-Dsoak.minutes=10]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/soak.classpath -Dmdep.includeScope=test
# Its own copy of the classes: a compile in the same tree while the soak runs must not pull them away
# (the packaged jar in target/ is the gateway under test: do not package while it runs).
rm -rf target/soak/classes && mkdir -p target/soak/classes
cp -r target/test-classes target/soak/classes/test && cp -r target/classes target/soak/classes/main
java -Xmx1g -Dio.netty.leakDetection.level=disabled "$@" \
  -cp "target/soak/classes/test:target/soak/classes/main:$(cat target/soak.classpath)" io.pomelo.gateway.soak.SoakRun
