#!/usr/bin/env bash
# Installs what Confine and its tests need on a fresh Debian machine (run as root), then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The analysed programs (soundness tests run them under strace), the compilers for the trap
  # programs (gcc, musl-gcc, Debian's Go with golang.org/x/sys), binutils/strace/linux-libc-dev and
  # patchelf as oracles and tools, and the Docker engine with debootstrap for the container
  # pipeline and its test images; Chromium for the UI's end-to-end tests; libc6-dbg, glibc's detached
  # symbols, which the analysis reads by build-id (analysis/link/debug-symbols.ts); libseccomp-dev,
  # with which native/build.sh builds the policy compiler and the launcher of `confine harden`.
  apt-get install -y -qq --no-install-recommends \
    gcc libc6-dev libc6-dbg libseccomp-dev binutils strace linux-libc-dev file musl-tools patchelf golang-go golang-golang-x-sys-dev \
    nginx redis-server redis-tools postgresql-client curl openssl python3 openssh-server openssh-client \
    restic busybox-static tini \
    tar gzip xz-utils findutils bash coreutils procps ca-certificates \
    docker.io debootstrap chromium >/dev/null
fi
# The policy compiler (libseccomp) and the launcher of hardened programs (native/).
bash native/build.sh
# The Electron binary cannot be downloaded here: its package installs without it, and the app says
# so and falls back to the browser mode (`confine serve`) when it is missing.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
# The app and the container tests talk to a local Docker engine: start one if none answers. Where
# it cannot start (no privileges), say so and go on: the app still analyses tarballs, directories
# and host programs.
if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
  bash scripts/dockerd.sh start || echo "setup: the Docker engine did not start (see /var/log/confine-dockerd.log); engine images will not be offered"
fi
