#!/usr/bin/env bash
# Builds Confine's two native programs into native/build/ (scripts/setup.sh runs this):
#   confine-bpfc    the policy compiler: libseccomp turns a policy into the seccomp BPF the kernel
#                   loads (bpf-compile.c; analysis/policy/bpf-compile.ts runs it)
#   confine-launch  the launcher `confine harden` puts at a hardened program's path: it loads the
#                   program's filter and execs it (launcher.c). Static, so it runs in any image.
# Needs gcc, libc6-dev (libc.a for the static launcher) and libseccomp-dev.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
gcc -O2 -Wall -Wextra -Werror -o build/confine-bpfc.tmp bpf-compile.c -lseccomp
gcc -O2 -Wall -Wextra -Werror -static -o build/confine-launch.tmp launcher.c
mv build/confine-bpfc.tmp build/confine-bpfc
mv build/confine-launch.tmp build/confine-launch
