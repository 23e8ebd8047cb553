# syntax=docker/dockerfile:1
# pomelo-wx-gateway image: Spring Boot's layered extract, run as a non-root user.
#   docker build -t pomelo-wx-gateway:0.1.0 .
#   docker run -p 8080:8080 -p 9090:9090 -v "$PWD/application.yml:/config/application.yml:ro" pomelo-wx-gateway:0.1.0

# Build stage: package the jar with the Maven wrapper, then split it into layers.
FROM eclipse-temurin:17-jdk AS builder
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/ src/
# The cache mount keeps ~/.m2 between builds (BuildKit); tests run in CI, not here.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -DskipTests package \
    && cp target/pomelo-wx-gateway-*.jar application.jar \
    && java -Djarmode=tools -jar application.jar extract --layers --launcher --destination extracted

# Runtime stage: a JRE and the four layers, least often changed first.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid gateway --home-dir /application --shell /usr/sbin/nologin gateway
WORKDIR /application
COPY --from=builder /build/extracted/dependencies/ ./
COPY --from=builder /build/extracted/spring-boot-loader/ ./
COPY --from=builder /build/extracted/snapshot-dependencies/ ./
COPY --from=builder /build/extracted/application/ ./
# A numeric user, so that Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001
# The operator's configuration (routes, TLS paths) is mounted here; the Helm chart renders it from values.
ENV SPRING_CONFIG_ADDITIONAL_LOCATION=optional:file:/config/
# 8443: data plane with TLS, 8080: data plane without TLS, 9090: health, Prometheus and admin.
EXPOSE 8080 8443 9090
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "org.springframework.boot.loader.launch.JarLauncher"]
