#!/usr/bin/env bash
# Prepares podman on a Debian machine without a Docker engine or an image registry, for the image test
# and the container fixtures. Idempotent; each step is skipped when already done.
#
#   scripts/podman-env.sh install     podman, runc, debootstrap, and the containers.conf these machines need
#   scripts/podman-env.sh bases       local stand-ins for eclipse-temurin:25-jdk and :25-jre (cached)
#   scripts/podman-env.sh all         both
#   scripts/podman-env.sh service     podman's Docker API where Testcontainers looks first (/run/docker.sock)
#   scripts/podman-env.sh fixtures IMAGE...
#                                     the fixtures' images (redis:7, prom/prometheus, node:20, ...): pulled
#                                     when a registry answers, else local stand-ins (cached by content hash)
#
# The stand-ins are Debian bookworm (debootstrap from this machine's own apt source) with the machine's
# Temurin 25 JDK copied in (the JRE made from it with jlink), the host's trust store (downloads inside a build need it here), and passwd
# for useradd. Tagged localhost/eclipse-temurin:25-jdk and :25-jre, they are what an unqualified
# FROM eclipse-temurin:25-jre finds first. They are rebuilt only when this script or the JDK changes
# (a content hash in a label). On a machine with a registry none of this is needed.
set -euo pipefail

JDK=${TEMURIN_25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=${PODMAN_ENV_WORK:-/var/tmp/pomelo-podman-env}

log() { echo "podman-env: $*" >&2; }

install() {
  if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
    log "installing podman, runc and debootstrap"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman runc debootstrap \
      uidmap slirp4netns fuse-overlayfs >/dev/null
  fi
  local conf=/etc/containers/containers.conf
  if ! grep -q 'pomelo-wx-gateway' "$conf" 2>/dev/null; then
    log "writing $conf"
    mkdir -p /etc/containers
    # rlimits cannot be set inside a container here; crun refuses the hybrid cgroups; cgroupfs
    # because no systemd manages them.
    cat >"$conf" <<'EOF'
# Written by pomelo-wx-gateway's scripts/podman-env.sh for machines without systemd cgroups.
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
  fi
}

mirror() {
  # This machine's own Debian source: never a host written into the repository.
  local uri
  uri=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
  if [ -z "$uri" ]; then
    uri=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
  fi
  [ -n "$uri" ] || { log "no Debian source found in /etc/apt"; exit 1; }
  echo "$uri"
}

minbase() {
  mkdir -p "$WORK"
  log "debootstrap bookworm from $(mirror)"
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase --include=passwd,ca-certificates bookworm "$WORK/rootfs" "$(mirror)" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" -c . | podman import -q - localhost/debian-minbase:bookworm >/dev/null
  rm -rf "$WORK/rootfs"
}

bases() {
  [ -x "$JDK/bin/java" ] || { log "no Temurin 25 JDK at $JDK (set TEMURIN_25_HOME)"; exit 1; }
  local hash
  hash=$( (cat "$0"; cat "$JDK/release") | sha256sum | cut -c1-16)
  if [ "$(podman image inspect --format '{{index .Labels "pomelo.env.hash"}}' localhost/eclipse-temurin:25-jre 2>/dev/null)" = "$hash" ] \
    && [ "$(podman image inspect --format '{{index .Labels "pomelo.env.hash"}}' localhost/eclipse-temurin:25-jdk 2>/dev/null)" = "$hash" ]; then
    log "stand-in base images are current ($hash)"
    return
  fi
  mkdir -p "$WORK"
  podman image exists localhost/debian-minbase:bookworm || minbase
  local context="$WORK/temurin"
  rm -rf "$context" && mkdir -p "$context/certs"
  cp -a "$JDK" "$context/jdk"
  # A JRE as Temurin's is made: the JDK's modules without the development tools.
  local modules
  modules=$("$JDK/bin/java" --list-modules | sed 's/@.*//' \
    | grep -Ev '^jdk\.(jlink|jpackage|compiler|javadoc|jshell|jdeps|hotspot\.agent|editpad|jartool|jstatd|jconsole|internal\.ed|internal\.le|internal\.opt|jdi|jdwp\.agent)$' \
    | paste -sd, -)
  "$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --output "$context/jre" >/dev/null 2>&1
  # The host's trust: the Maven wrapper and dependencies are downloaded inside the build.
  cp -L /etc/ssl/certs/ca-certificates.crt "$context/certs/"
  # The JDK's cacerts may be a link into /etc (Debian's trust store), which the image lacks.
  for home in "$context/jdk" "$context/jre"; do
    rm -f "$home/lib/security/cacerts"
    cp -L "$JDK/lib/security/cacerts" "$home/lib/security/cacerts"
  done
  cat >"$context/Containerfile" <<'EOF'
FROM localhost/debian-minbase:bookworm
ARG HOME_DIR
COPY ${HOME_DIR} /opt/java/openjdk
COPY certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
  for kind in jdk jre; do
    log "building localhost/eclipse-temurin:25-$kind (hash $hash)"
    podman build --isolation=chroot --network=host --label "pomelo.env.hash=$hash" --build-arg HOME_DIR=$kind \
      -t localhost/eclipse-temurin:25-$kind "$context" >"$WORK/build-$kind.log" 2>&1 \
      || { tail -20 "$WORK/build-$kind.log" >&2; exit 1; }
  done
  rm -rf "$context"
}

SOCKET=/run/podman/podman.sock

service() {
  # What Debian's podman-docker package and podman.socket unit do on a machine with systemd: podman's
  # Docker API on its socket, and /run/docker.sock pointing at it, where Docker clients look first.
  if ! podman --url "unix://$SOCKET" version >/dev/null 2>&1; then
    log "starting podman's Docker API on $SOCKET"
    mkdir -p /run/podman "$WORK"
    rm -f "$SOCKET"
    # chroot isolation: the OCI runtime cannot set up the RUN steps of a build on these machines.
    BUILDAH_ISOLATION=chroot setsid nohup podman system service --time=0 "unix://$SOCKET" \
      >"$WORK/service.log" 2>&1 </dev/null &
    for _ in $(seq 100); do
      podman --url "unix://$SOCKET" version >/dev/null 2>&1 && break
      sleep 0.1
    done
    podman --url "unix://$SOCKET" version >/dev/null 2>&1 || { tail -20 "$WORK/service.log" >&2; exit 1; }
  fi
  if [ ! -e /run/docker.sock ] && [ ! -L /run/docker.sock ]; then
    ln -s "$SOCKET" /run/docker.sock
  fi
}

# A stand-in for an official image, built from the local Debian base when no registry answers. The
# recipe is chosen by the image's repository name, so the names stay configurable.
standin() {
  local image=$1 context=$2 name
  name=${image##*/}
  case "${name%%:*}" in
    redis)
      cat >"$context/Containerfile" <<'EOF'
FROM localhost/debian-minbase:bookworm
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*
EXPOSE 6379
CMD ["redis-server"]
EOF
      ;;
    prometheus)
      # The official image's entry point and defaults; Debian's build of the same program.
      cat >"$context/Containerfile" <<'EOF'
FROM localhost/debian-minbase:bookworm
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/* && mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
      ;;
    node)
      # This machine's own Node.js and npm, laid out as in the official image.
      local want=${name#*:} have
      have=$(node --version | sed 's/^v//')
      [ "$want" = "$name" ] || [ "${have%%.*}" = "${want%%.*}" ] \
        || log "warning: $image stands in with this machine's Node.js $have"
      cp -L "$(command -v node)" "$context/node"
      cp -a "$(npm root -g)/npm" "$context/npm"
      cp -L /etc/ssl/certs/ca-certificates.crt "$context/ca-certificates.crt"
      cat >"$context/Containerfile" <<'EOF'
FROM localhost/debian-minbase:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# Node.js keeps its own CA list: the machine's trust is added, as the host's npm has it.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
CMD ["node"]
EOF
      ;;
    *) log "no stand-in recipe for $image"; return 1 ;;
  esac
}

fixtures() {
  [ $# -gt 0 ] || { log "fixtures: name the images"; exit 2; }
  local hash image label context="$WORK/standin"
  for image in "$@"; do
    if ! podman image exists "$image" && podman pull -q "$image" >/dev/null 2>&1; then
      log "pulled $image"
      continue
    fi
    rm -rf "$context" && mkdir -p "$context"
    standin "$image" "$context"
    # The recipe and what it copies from this machine: a change rebuilds the stand-in.
    hash=$( (cat "$context/Containerfile"; node --version) | sha256sum | cut -c1-16)
    if podman image exists "$image"; then
      label=$(podman image inspect --format '{{index .Labels "pomelo.env.hash"}}' "$image")
      # An image of someone else's (pulled, or built by hand) is left as it is.
      case "$label" in "$hash"|""|"<no value>") rm -rf "$context"; continue ;; esac
    fi
    podman image exists localhost/debian-minbase:bookworm || minbase
    log "building the stand-in $image (hash $hash)"
    podman build --isolation=chroot --network=host --label "pomelo.env.hash=$hash" --label "pomelo.standin=true" \
      -t "$image" "$context" >"$WORK/build-standin.log" 2>&1 \
      || { tail -20 "$WORK/build-standin.log" >&2; exit 1; }
    rm -rf "$context"
  done
}

case "${1:-all}" in
  install) install ;;
  bases) bases ;;
  all) install; bases ;;
  service) install; service ;;
  fixtures) shift; install; fixtures "$@" ;;
  *) echo "usage: $0 install|bases|all|service|fixtures IMAGE..." >&2; exit 2 ;;
esac
