#!/usr/bin/env bash
# Builds the end-to-end test images from Debian packages, without pulling from any registry:
#   debootstrap --variant=minbase bookworm   -> base rootfs tarball (cached)
#   base + apt-get install in a chroot + the image's files -> docker import -> confine-test/NAME:TAG
#
#   e2e/images/build.sh [--force] [NAME...]     (run as root; default: every image directory)
#
# Each image is defined by a directory e2e/images/NAME/ holding
#   packages  Debian packages to install (one per line, # comments)
#   changes   Dockerfile instructions for `docker import --change` (CMD, EXPOSE, ENV; one per line)
#   rootfs/   files copied into the image as they are (modes normalised to 0644/0755)
#   setup     optional; run on the host as `setup ROOT` after the packages and files are in place,
#             with BUILDS naming the directory of programs built from Debian sources (below)
#   scratch   optional marker: start from an empty root instead of the Debian base (no packages)
#   uses-builds  optional marker: the image takes programs from BUILDS (their inputs join its TAG)
# Programs built from Debian sources (builds/build.sh: `apt-get source` plus gcc, musl-gcc and
# Debian's Go, in a builder chroot made from the same base) are cached by the hash of builds/ in
# /var/cache/confine-test-images/builds-HASH/.
# TAG is a short hash of this script and of everything in NAME/, so editing a definition (or this
# script) rebuilds the image; confine-test/NAME:latest always names the newest build.
#
# Caching, fastest first: the engine already has NAME:TAG ("present", ~1 s); the docker-save tarball
# /var/cache/confine-test-images/NAME-TAG.tar exists ("loaded from cache", a few seconds, e.g. after
# the engine's storage was wiped); otherwise build ("built", about a minute, needs the Debian mirror).
# --force rebuilds the images (the base rootfs tarball is still reused).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=/var/cache/confine-test-images
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
SECURITY_MIRROR=http://deb.debian.org/debian-security
REPO=confine-test
export LC_ALL=C   # stable sort order for the input hash; no locale warnings from perl in the chroot

# Debian's docker.io client matches the engine; another client on PATH may be newer than the API.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

die() { echo "build.sh: $*" >&2; exit 1; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# Runs a shell function with its output in a log file and leaves its status in RUN_RC. Bash ignores
# `set -e` inside anything called from an `if`/`||`/`&&` condition (even a subshell, even with
# `set -e` repeated), which would let a failed apt-get go unnoticed; so this is called as a plain
# statement and reports through a variable instead of its exit status.
RUN_RC=0
run_logged() {
  local log=$1; shift
  set +e
  # The ERR trap names the failing command in the log (set -E: also inside functions).
  ( set -eE; trap 'echo "build.sh: failed (exit $?): $BASH_COMMAND" >&2' ERR; "$@" ) >"$log" 2>&1
  RUN_RC=$?
  set -e
}

# Runs a command inside a chroot with a clean environment (the host's locale, proxies and PATH
# have no business in the image build).
in_chroot() {
  local root=$1; shift
  chroot "$root" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    "$@"
}

# Removes what a container does not need and what would make the image differ from run to run:
# apt lists and caches, logs, the host's resolv.conf (Docker bind-mounts its own at run time).
slim_rootfs() {
  local root=$1
  in_chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/var/log/apt/* "$root"/var/log/dpkg.log "$root"/var/log/alternatives.log \
    "$root"/var/log/bootstrap.log "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.cache
  # Documentation: the dpkg excludes (see make_base) stop new files; this removes what debootstrap
  # installed before they existed. Copyright files stay.
  find "$root"/usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  find "$root"/usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
  : >"$root/etc/resolv.conf"
}

# Packs a rootfs to stdout. --numeric-owner: ownership must come from the image's own /etc/passwd
# ids, not be remapped through the host's user names. The base tarball keeps the /dev nodes that
# debootstrap made (apt and maintainer scripts in the build chroot write to /dev/null); an image
# leaves /dev, /proc and /sys empty, as the container runtime mounts its own.
pack_rootfs() {
  local root=$1 kind=$2 excludes=()
  [ "$kind" = image ] && excludes=(--exclude=./dev/* --exclude=./proc/* --exclude=./sys/*)
  tar -C "$root" --numeric-owner --one-file-system "${excludes[@]}" -cf - .
}

# --- the base rootfs ----------------------------------------------------------------------------
# debootstrap is the slow, network-heavy step (a minute or two), so its result is kept as a tarball
# whose name carries a hash of this function: changing how the base is made makes a new one.
make_base() {
  local root=$1
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR"
  # All of bookworm's suites, so images get security fixes like a real Debian image does.
  cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  # Keep images small: no recommends, no man pages, docs or translations for later installs.
  cat >"$root/etc/apt/apt.conf.d/90confine" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/90confine-excludes" <<'EOF'
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
EOF
  # debootstrap copies the host's resolv.conf into the target; apt in the chroot needs it to reach
  # the mirror, and every image build refreshes it from the host (slim_rootfs empties it again).
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  in_chroot "$root" apt-get update -qq
  in_chroot "$root" apt-get -y -qq -o Dpkg::Options::=--force-confold dist-upgrade
  slim_rootfs "$root"
}

base_tarball() {
  local key
  key=$( { declare -f make_base in_chroot slim_rootfs pack_rootfs; echo "$SUITE $MIRROR $SECURITY_MIRROR"; } \
    | sha256sum | cut -c1-12)
  echo "$CACHE/base-$SUITE-minbase-$key.tar"
}

ensure_base() {
  local tarball work log
  tarball=$(base_tarball)
  [ -s "$tarball" ] && return 0
  work="$CACHE/work/base"
  log="$CACHE/logs/base.log"
  echo "base rootfs: debootstrap --variant=minbase $SUITE (log: $log)" >&2
  local t0; t0=$(now)
  rm -rf "$work"; mkdir -p "$work"
  run_logged "$log" make_base "$work"
  if [ "$RUN_RC" != 0 ]; then
    tail -n 30 "$log" >&2
    die "debootstrap of the base rootfs failed; full log: $log"
  fi
  pack_rootfs "$work" base >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  rm -rf "$work"
  # Older bases (made by a previous version of make_base) are no longer used.
  find "$CACHE" -maxdepth 1 -name "base-$SUITE-minbase-*.tar" ! -path "$tarball" -delete
  echo "base rootfs: $tarball ($(du -h "$tarball" | cut -f1)) in $(elapsed "$t0")" >&2
}

# --- one image ----------------------------------------------------------------------------------
# Short hash of the build inputs: this script plus every file of the definition (path, executable
# bit, content). The executable bit matters (entrypoint.sh); other mode bits depend on the umask of
# the checkout and are normalised anyway.
image_tag() {
  local name=$1
  {
    sha256sum "$HERE/build.sh" | cut -d' ' -f1
    (cd "$HERE" && find "$name" -type f | sort | while read -r f; do
      if [ -x "$f" ]; then echo "x $f"; else echo "- $f"; fi
      sha256sum "$f" | cut -d' ' -f1
    done)
    if [ -f "$HERE/$name/uses-builds" ]; then builds_key; fi
  } | sha256sum | cut -c1-12
}

# --- programs built from Debian sources ----------------------------------------------------------
builds_key() {
  (cd "$HERE" && find builds -type f | sort | while read -r f; do echo "$f"; sha256sum "$f" | cut -d' ' -f1; done; declare -f make_builds) \
    | sha256sum | cut -c1-12
}

make_builds() {
  local root=$1 out=$2 packages
  mkdir -p "$root"
  tar -C "$root" -xpf "$(base_tarball)" --numeric-owner
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # Source packages come from the same suites as the binary ones.
  sed -n 's/^deb /deb-src /p' "$root/etc/apt/sources.list" >>"$root/etc/apt/sources.list"
  mapfile -t packages < <(definition_lines "$HERE/builds/builder-packages")
  in_chroot "$root" apt-get update -qq
  in_chroot "$root" apt-get install -y -qq -o Dpkg::Options::=--force-confold "${packages[@]}"
  mkdir -p "$root/build/inputs"
  cp "$HERE"/builds/* "$root/build/inputs/"
  in_chroot "$root" bash /build/inputs/build.sh /build/out
  mkdir -p "$out"
  cp -a "$root/build/out/." "$out/"
}

BUILDS=""
ensure_builds() {
  [ -n "$BUILDS" ] && return 0
  local dir work log t0
  dir="$CACHE/builds-$(builds_key)"
  if [ ! -f "$dir/.done" ]; then
    ensure_base
    t0=$(now)
    work="$CACHE/work/builder"
    log="$CACHE/logs/builds.log"
    echo "programs from Debian sources: builder chroot (log: $log)" >&2
    rm -rf "$work" "$dir.tmp"
    run_logged "$log" make_builds "$work" "$dir.tmp"
    if [ "$RUN_RC" != 0 ]; then
      tail -n 30 "$log" >&2
      die "building the programs from Debian sources failed; full log: $log (chroot left in $work)"
    fi
    touch "$dir.tmp/.done"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
    rm -rf "$work"
    find "$CACHE" -maxdepth 1 -name 'builds-*' ! -path "$dir" -exec rm -rf {} +
    echo "programs from Debian sources: $dir in $(elapsed "$t0")" >&2
  fi
  BUILDS=$dir
}

# Lines of a definition file without comments and blank lines.
definition_lines() { sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$1"; }

# Copies a definition's rootfs/ without the checkout's owner, then normalises modes so that a
# restrictive umask on the checkout cannot make config files unreadable to www-data & co.
copy_definition_files() {
  local def=$1 root=$2
  [ -d "$def/rootfs" ] || return 0
  cp -R --no-preserve=ownership,timestamps "$def/rootfs/." "$root/"
  (cd "$def/rootfs" && find . -mindepth 1) | while read -r p; do
    if [ -d "$def/rootfs/$p" ] || [ -x "$def/rootfs/$p" ]; then
      chmod 0755 "$root/$p"
    else
      chmod 0644 "$root/$p"
    fi
  done
}

build_rootfs() {
  local name=$1 root=$2 def="$HERE/$1" packages
  mkdir -p "$root"
  if [ -f "$def/scratch" ]; then
    # Nothing from Debian's base: the image is only what rootfs/ and setup put there.
    build_scratch "$name" "$root"
    return
  fi
  tar -C "$root" -xpf "$(base_tarball)" --numeric-owner
  # Packages must not start their services inside the build chroot (there is no init, and a
  # started redis or nginx would keep the chroot busy): invoke-rc.d honours policy-rc.d exit 101.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mapfile -t packages < <(definition_lines "$def/packages")
  # Postinst scripts of these packages need neither /proc nor /dev mounts (debootstrap created the
  # basic /dev nodes in the tree), so nothing is mounted and nothing can leak if the build dies.
  in_chroot "$root" apt-get update -qq
  in_chroot "$root" apt-get install -y -qq -o Dpkg::Options::=--force-confold "${packages[@]}"
  copy_definition_files "$def" "$root"
  [ -x "$def/setup" ] && BUILDS=$BUILDS "$def/setup" "$root"
  rm -f "$root/usr/sbin/policy-rc.d"
  slim_rootfs "$root"
}

build_scratch() {
  local name=$1 root=$2 def="$HERE/$1"
  copy_definition_files "$def" "$root"
  [ -x "$def/setup" ] && BUILDS=$BUILDS "$def/setup" "$root"
  return 0
}

# docker import --change arguments from the definition's `changes` file, plus labels that say where
# the image came from.
import_changes() {
  local name=$1 tag=$2 line
  while IFS= read -r line; do printf '%s\0' --change "$line"; done < <(definition_lines "$HERE/$name/changes")
  printf '%s\0' --change "LABEL org.confine.test-image=$name org.confine.inputs=$tag"
}

# Old tags of this image (from earlier definitions) and their save files are no longer used.
prune_old() {
  local name=$1 tag=$2 t
  for t in $("$DOCKER" image ls --format '{{.Tag}}' "$REPO/$name"); do
    [ "$t" = "$tag" ] || [ "$t" = latest ] || "$DOCKER" rmi "$REPO/$name:$t" >/dev/null 2>&1 || true
  done
  find "$CACHE" -maxdepth 1 -name "$name-*.tar" ! -name "$name-$tag.tar" -delete
}

ensure_image() {
  local name=$1 ref tag saved root log how t0
  t0=$(now)
  if [ ! -f "$HERE/$name/packages" ] || [ ! -f "$HERE/$name/changes" ]; then
    die "no image definition $HERE/$name (needs packages and changes)"
  fi
  tag=$(image_tag "$name")
  ref="$REPO/$name:$tag"
  saved="$CACHE/$name-$tag.tar"
  if [ "$FORCE" = 0 ] && "$DOCKER" image inspect "$ref" >/dev/null 2>&1; then
    how="present"
    # Keep the save file in step with the engine (the cache directory may have been cleared).
    if [ ! -s "$saved" ]; then
      "$DOCKER" save -o "$saved.tmp" "$ref"
      mv "$saved.tmp" "$saved"
      how="present (re-saved)"
    fi
  elif [ "$FORCE" = 0 ] && [ -s "$saved" ]; then
    "$DOCKER" load -q -i "$saved" >/dev/null
    how="loaded from cache"
  else
    ensure_base
    if [ -f "$HERE/$name/uses-builds" ]; then ensure_builds; fi
    root="$CACHE/work/$name"
    log="$CACHE/logs/$name.log"
    rm -rf "$root"
    run_logged "$log" build_rootfs "$name" "$root"
    if [ "$RUN_RC" != 0 ]; then
      tail -n 30 "$log" >&2
      die "building $ref failed; full log: $log (chroot left in $root)"
    fi
    local changes=()
    mapfile -d '' -t changes < <(import_changes "$name" "$tag")
    if ! pack_rootfs "$root" image | "$DOCKER" import "${changes[@]}" - "$ref" >/dev/null; then
      die "docker import of $ref failed (chroot left in $root)"
    fi
    rm -rf "$root"
    # Save only the TAG reference; :latest is re-pointed after a load.
    "$DOCKER" save -o "$saved.tmp" "$ref"
    mv "$saved.tmp" "$saved"
    how="built"
  fi
  "$DOCKER" tag "$ref" "$REPO/$name:latest"
  prune_old "$name" "$tag"
  printf '%-34s %-19s %s\n' "$ref" "$how" "$(elapsed "$t0")"
}

# --- main ---------------------------------------------------------------------------------------
FORCE=0
names=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $arg" ;;
    *) names+=("$arg") ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for d in "$HERE"/*/; do [ -f "$d/packages" ] && names+=("$(basename "$d")"); done
fi

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
# The engine is needed for every path; start one if none answers (no-op otherwise).
"$DOCKER" info >/dev/null 2>&1 || "$HERE/../../scripts/dockerd.sh" start >&2

mkdir -p "$CACHE/logs" "$CACHE/work"
# One build at a time: two test runs sharing the cache must not debootstrap into the same directory.
exec 9>"$CACHE/.lock"
flock 9

for name in "${names[@]}"; do ensure_image "$name"; done
