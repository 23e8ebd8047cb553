#!/usr/bin/env bash
# Prepares podman on a Debian machine without a Docker engine or an image registry, for the image test
# and the container fixtures. Idempotent; each step is skipped when already done.
#
#   scripts/podman-env.sh install     podman, runc, debootstrap, and the containers.conf these machines need
#   scripts/podman-env.sh bases       local stand-ins for eclipse-temurin:25-jdk and :25-jre (cached)
#   scripts/podman-env.sh all         both
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
  if ! podman image exists localhost/debian-minbase:bookworm; then
    log "debootstrap bookworm from $(mirror)"
    rm -rf "$WORK/rootfs"
    debootstrap --variant=minbase --include=passwd,ca-certificates bookworm "$WORK/rootfs" "$(mirror)" >"$WORK/debootstrap.log" 2>&1 \
      || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
    rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
    tar -C "$WORK/rootfs" -c . | podman import -q - localhost/debian-minbase:bookworm >/dev/null
    rm -rf "$WORK/rootfs"
  fi
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

case "${1:-all}" in
  install) install ;;
  bases) bases ;;
  all) install; bases ;;
  *) echo "usage: $0 install|bases|all" >&2; exit 2 ;;
esac
