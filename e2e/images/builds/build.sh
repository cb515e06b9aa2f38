#!/usr/bin/env bash
# Runs inside the builder chroot (see build_programs in ../build.sh): builds the test images'
# programs from Debian sources and Debian's toolchains into $1.
#   dash-static  dash from `apt-get source dash`, linked with -static (glibc, non-PIE)
#   lua          Lua 5.4 from `apt-get source lua5.4`, built with musl-gcc (dlopens C modules)
#   confine.so   a Lua C module (lua-confine.c) built with musl-gcc
#   go-server    go-server.go built with Debian's Go, CGO_ENABLED=0
#   scmp_bpf_disasm, scmp_bpf_sim
#                libseccomp's own BPF disassembler and simulator from `apt-get source libseccomp`
#                (Debian builds but does not ship them): the tests check Confine's raw BPF export
#                with them (analysis/policy/bpf-compile.test.ts)
set -euo pipefail
out=$1
src=/build/src
mkdir -p "$out" "$src"
cd "$src"
apt-get source -qq dash lua5.4 libseccomp >/dev/null 2>&1 || apt-get source dash lua5.4 libseccomp
# Debian's patches touch configure.ac: regenerate the build system as the package build does.
(cd dash-*/ && autoreconf -fi >/dev/null 2>&1 && ./configure -q LDFLAGS=-static CFLAGS=-O2 >/dev/null && make -s -j2 >/dev/null && cp src/dash "$out/dash-static")
# Debian's luaconf.h takes the multiarch directory (for its module paths) from a generated header.
(cd lua5.4-*/src && echo '#define DEB_HOST_MULTIARCH "x86_64-linux-musl"' >lua5.4-deb-multiarch.h &&
  musl-gcc -O2 -DLUA_USE_LINUX -Wl,-E -o "$out/lua" $(ls *.c | grep -v '^luac\.c$') -lm)
# The tools need only their own sources and libseccomp's headers (tools/Makefile.am: util.la, no libseccomp).
(cd libseccomp-*/tools && for t in scmp_bpf_disasm scmp_bpf_sim; do gcc -O2 -I../include -o "$out/$t" "$t.c" util.c; done)
musl-gcc -O2 -shared -fPIC -I"$(echo "$src"/lua5.4-*/src)" -o "$out/confine.so" /build/inputs/lua-confine.c
(cd /build/inputs && GOCACHE=/build/gocache GO111MODULE=off CGO_ENABLED=0 GOFLAGS=-trimpath go build -ldflags=-s -o "$out/go-server" go-server.go)
# Alpine links against musl's libc under this name.
patchelf --replace-needed libc.so libc.musl-x86_64.so.1 "$out/lua"
patchelf --replace-needed libc.so libc.musl-x86_64.so.1 "$out/confine.so"
cp "$(readlink -f /lib/ld-musl-x86_64.so.1)" "$out/ld-musl-x86_64.so.1"
cp /bin/busybox "$out/busybox"
cp /usr/bin/tini-static "$out/tini-static"
ls -l "$out"
