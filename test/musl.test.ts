// Soundness on musl programs (built with musl-gcc) in an Alpine-layout root filesystem built here
// from Debian's musl: libc.so installed as /lib/ld-musl-x86_64.so.1 (the interpreter is libc), and
// each program's NEEDED patched from libc.so to libc.musl-x86_64.so.1 with patchelf, as Alpine
// links them. The same files run on this host (its /lib/ld-musl-x86_64.so.1 is the same libc).
// Also a musl static program, and a host musl-gcc program whose NEEDED libc.so must not be taken
// for glibc's linker script.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { buildTrap, TRAPS_BUILD_DIR } from './support/build-traps.js';
import { soundnessSuite, trace, type Workload } from './support/workloads.js';

const ROOT = mkdtempSync(join(tmpdir(), 'confine-alpine-'));
after(() => rmSync(ROOT, { recursive: true, force: true }));
const inRoot = (p: string): string => join(ROOT, p);

/** The Alpine layout: musl's libc as the interpreter, programs in /usr/bin, the module in /usr/lib. */
async function buildRootfs(): Promise<void> {
  for (const t of ['musl-prog', 'musl-static', 'musl-dlopen', 'libmusl-mod.so']) await buildTrap(t);
  for (const d of ['lib', 'usr/bin', 'usr/lib', 'tmp']) mkdirSync(inRoot(d), { recursive: true });
  copyFileSync(realpathSync('/lib/ld-musl-x86_64.so.1'), inRoot('lib/ld-musl-x86_64.so.1'));
  const place = (from: string, to: string, patch: boolean): void => {
    copyFileSync(join(TRAPS_BUILD_DIR, from), inRoot(to));
    if (patch) execFileSync('patchelf', ['--replace-needed', 'libc.so', 'libc.musl-x86_64.so.1', inRoot(to)]);
  };
  place('musl-prog', 'usr/bin/musl-prog', true);
  place('musl-dlopen', 'usr/bin/musl-dlopen', true);
  place('libmusl-mod.so', 'usr/lib/libmusl-mod.so', true);
  place('musl-static', 'usr/bin/musl-static', false);
}

const inAlpine = (p: string, expect: string[], args: (dir: string) => string[]): Workload => ({
  program: inRoot(p),
  inRootfs: `/${p}`,
  expect,
  run: (dir) => trace(inRoot(p), dir, [{ args: args(dir) }]),
});

const WORKLOADS: Record<string, Workload> = {
  'musl (Alpine layout): threads, set*id, signals, stdio, fork': inAlpine('usr/bin/musl-prog', ['arch_prctl', 'set_tid_address', 'clone', 'setuid', 'setgid', 'read', 'mkdir'], (dir) => [dir]),
  'musl (Alpine layout): dlopen of a module found through RUNPATH, its constructor and export': inAlpine('usr/bin/musl-dlopen', ['uname', 'prlimit64', 'sched_getaffinity'], () => []),
  'musl static': inAlpine('usr/bin/musl-static', ['arch_prctl', 'set_tid_address', 'clone', 'setuid'], (dir) => [dir]),
};

soundnessSuite(WORKLOADS, { prepare: buildRootfs, rootfs: () => ROOT });

// On this host: musl-gcc's program names libc.so, which the musl loader answers with itself.
soundnessSuite(
  {
    'musl-gcc program on a glibc host (NEEDED libc.so is musl itself, not glibc\'s linker script)': {
      program: join(TRAPS_BUILD_DIR, 'musl-prog'),
      expect: ['arch_prctl', 'set_tid_address', 'setuid'],
      run: (dir) => trace(join(TRAPS_BUILD_DIR, 'musl-prog'), dir, [{ args: [dir] }]),
    },
  },
  { prepare: async () => void (await buildTrap('musl-prog')) },
);
