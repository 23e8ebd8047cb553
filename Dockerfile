# syntax=docker/dockerfile:1
# pomelo-wx-gateway image: Spring Boot's layered extract with a class data sharing (CDS) archive, run as a
# non-root user.
#   docker build -t pomelo-wx-gateway:0.1.0 .
#   docker run -p 8080:8080 -p 9090:9090 -v "$PWD/application.yml:/config/application.yml:ro" \
#     -v pomelo-routes:/var/lib/pomelo-gateway pomelo-wx-gateway:0.1.0
# JVM flags: -e JAVA_TOOL_OPTIONS="..." replaces the defaults below as a whole (the Helm chart does that).
# Base images are build arguments, for a registry mirror or a locally made stand-in:
#   docker build --build-arg BUILD_IMAGE=my-mirror/temurin:25-jdk --build-arg RUNTIME_IMAGE=my-mirror/temurin:25-jre .
# The build stays --release 17 (pom.xml), so any JRE from 17 on runs the jar; the archive below is made by
# the runtime image's own JVM, so it always matches it.

# Both ARGs come before the first FROM so that either stage may name them.
ARG BUILD_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre

# Build stage: package the jar with the Maven wrapper, then split it into layers. Without the launcher, the
# extract is a plain application.jar whose manifest lists lib/*.jar: the JVM loads every class from a jar
# file of its own, which is what a CDS archive can share (classes from nested jars it cannot).
FROM ${BUILD_IMAGE} AS builder
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/ src/
# The cache mount keeps ~/.m2 between builds (BuildKit); tests run in CI, not here, and are not even
# compiled (src/test/ is not in the build context).
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -Dmaven.test.skip=true package \
    && cp target/pomelo-wx-gateway-*.jar application.jar \
    && java -Djarmode=tools -jar application.jar extract --layers --destination extracted

# Runtime stage: a JRE and the layers, least often changed first.
FROM ${RUNTIME_IMAGE}
# Declared again to be read inside this stage (the label below).
ARG RUNTIME_IMAGE
# The version of the jar inside; keep it equal to the chart's appVersion.
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="pomelo-wx-gateway" \
      org.opencontainers.image.description="A WebSocket gateway that puts WeChat mini-programs (wss://) in front of Pomelo game servers (ws://)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
# The file route store's directory belongs to the gateway user; /application stays root-owned and
# read-only to it. The jar's default store path (data/routes.json, relative to the working directory) leads
# there through a link, so that a plain docker run can write routes; the chart names the path itself.
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid gateway --home-dir /application --shell /usr/sbin/nologin gateway \
    && mkdir -p /var/lib/pomelo-gateway /application \
    && chown 10001:10001 /var/lib/pomelo-gateway \
    && chmod 0750 /var/lib/pomelo-gateway \
    && ln -s /var/lib/pomelo-gateway /application/data
WORKDIR /application
COPY --from=builder /build/extracted/dependencies/ ./
COPY --from=builder /build/extracted/snapshot-dependencies/ ./
COPY --from=builder /build/extracted/application/ ./
# Training run: the application context starts and the JVM exits once it is refreshed, leaving what it
# loaded in an archive that every start then maps instead of loading, linking and verifying it again.
# On JDK 25 and later (the default image) that is an AOT cache (JEP 483/514/515), with compact object
# headers; on older JDKs a dynamic CDS archive on top of the JDK's base archive. The runtime flags go in
# /application/jvm.args, the launcher's argument file, because the cache is only accepted when the
# flags match those of its training (docker/jvm-aot.args, less the cache itself). Measured on JDK 25,
# process start to refreshed context: none 5.2-5.4 s, CDS 3.5-3.7 s, AOT cache 2.6-2.8 s.
# The archive is only valid for this JRE and these jar paths, hence here and absolute. The file store
# of the run goes to /tmp and is removed.
COPY docker/jvm-aot.args docker/jvm-cds.args /application/
RUN set -e; \
    if java -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then \
      mv /application/jvm-aot.args /application/jvm.args; \
      java $(grep -v 'AOTCache=' /application/jvm.args) -XX:AOTCacheOutput=/application/application.aot \
           -Dspring.context.exit=onRefresh -jar /application/application.jar \
           --pomelo.gateway.store.file=/tmp/training/routes.json; \
      test -s /application/application.aot; \
    else \
      mv /application/jvm-cds.args /application/jvm.args; \
      [ -f "$JAVA_HOME/lib/server/classes.jsa" ] || java -Xshare:dump; \
      java -XX:ArchiveClassesAtExit=/application/application.jsa -Dspring.context.exit=onRefresh \
           -jar /application/application.jar --pomelo.gateway.store.file=/tmp/training/routes.json; \
      test -s /application/application.jsa; \
    fi; \
    rm -f /application/jvm-*.args; \
    rm -rf /tmp/training
# A numeric user, so that Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001
# Routes written through the admin API outlive the container when a volume is mounted here.
VOLUME /var/lib/pomelo-gateway
# The operator's configuration (routes, TLS paths) is mounted here; the Helm chart renders it from values.
ENV SPRING_CONFIG_ADDITIONAL_LOCATION=optional:file:/config/
# 8443: data plane with TLS, 8080: data plane without TLS, 9090: health, Prometheus and admin.
EXPOSE 8080 8443 9090
# JVM defaults for a container whose memory limit the JVM detects: half of it for the heap, a cap on
# direct memory (Netty's buffers, which otherwise may grow as large as the heap), and an exit instead of
# limping on after an OutOfMemoryError. An environment variable, not ENTRYPOINT flags: the JVM reads
# JAVA_TOOL_OPTIONS before its command line, so a flag on the command line would win over any override.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError"
# A JVM that cannot use the archive (other JRE, changed jars) warns and starts without it.
ENTRYPOINT ["java", "@/application/jvm.args", "-jar", "/application/application.jar"]
