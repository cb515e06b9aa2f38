// Soundness on Go programs: trap programs built with Debian's Go toolchain (each built around one
// thing a Go binary does differently from C) and Go programs from Debian packages, each run under
// strace with a workload; every syscall strace saw after exec must be in the static set.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTrap, TRAPS_BUILD_DIR } from './support/build-traps.js';
import { freePort, httpGet, waitForPort } from './support/net.js';
import { makeTree, soundnessSuite, trace, type Workload } from './support/workloads.js';

const built = (name: string): string => join(TRAPS_BUILD_DIR, name);

/** The body of a 200 answer. */
async function fetch(port: number, path: string): Promise<string> {
  const r = await httpGet(port, path);
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status} ${r.body}`);
  return r.body;
}

const WORKLOADS: Record<string, Workload> = {
  'go trap: CGO_ENABLED=0 stripped server (listen, accept4, mkdirat, getrlimit, readlinkat, fork+exec)': {
    program: built('go-server'),
    expect: ['listen', 'accept4', 'mkdirat', 'readlinkat', 'getrlimit'],
    run: async (dir) => {
      const port = await freePort();
      return trace(built('go-server'), dir, [
        {
          args: [`127.0.0.1:${port}`, dir],
          during: async () => {
            await waitForPort(port);
            assert.match(await fetch(port, '/hello'), /hello \/hello/);
            assert.equal(await fetch(port, '/file'), 'content\n');
            assert.equal(await fetch(port, '/exec'), 'from child\n');
            await fetch(port, '/quit').catch(() => ''); // the server closes as it answers
          },
          expectExit: 'any',
        },
      ]);
    },
  },
  'go trap: golang.org/x/sys/unix (ABI0 stack arguments, numbers in variables), PIE': {
    program: built('go-abi0'),
    expect: ['flock', 'fcntl', 'newfstatat', 'fchmod', 'getpgid', 'prctl', 'uname'],
    run: (dir) => trace(built('go-abi0'), dir, [{ args: [dir] }]),
  },
  'go trap: interface methods, closures, a goroutine, a method called by reflection': {
    program: built('go-indirect'),
    // Umask is only ever called by reflection with a name the run does not give.
    expect: ['sysinfo', 'getuid', 'getppid', 'sync', 'umask'],
    run: (dir) => trace(built('go-indirect'), dir, [{ args: ['Sync'] }]),
  },
  'go trap: setuid/setgid through AllThreadsSyscall (every thread repeats them)': {
    program: built('go-setuid'),
    expect: ['setuid', 'setgid'],
    run: (dir) => trace(built('go-setuid'), dir, [{}]),
  },
  'go trap: cgo (Go, C and libc in one program)': {
    program: built('go-cgo'),
    expect: ['getcpu', 'getppid', 'uname'],
    run: (dir) => trace(built('go-cgo'), dir, [{}]),
  },
  restic: {
    program: '/usr/bin/restic',
    run: async (dir) => {
      const data = join(dir, 'data');
      mkdirSync(data);
      await makeTree(data);
      const repo = join(dir, 'repo');
      const env = { RESTIC_PASSWORD: 'confine-test', RESTIC_REPOSITORY: repo, RESTIC_CACHE_DIR: join(dir, 'cache') };
      return trace('/usr/bin/restic', dir, [
        { args: ['init'], env },
        { args: ['backup', '--host', 'test', data], env },
        { args: ['snapshots', '--json'], env },
        { args: ['check', '--read-data'], env },
        { args: ['restore', 'latest', '--target', join(dir, 'restored')], env },
        { args: ['diff', 'latest', 'latest'], env, expectExit: 'any' },
        { args: ['forget', '--keep-last', '1', '--prune'], env },
      ]);
    },
  },
  runc: {
    program: '/usr/sbin/runc',
    run: (dir) => {
      const state = join(dir, 'state');
      return trace('/usr/sbin/runc', dir, [
        { args: ['--version'] },
        { args: ['spec', '--rootless'] },
        { args: ['--root', state, 'list'] },
        { args: ['--root', state, 'state', 'nonexistent'], expectExit: 1 },
        { args: ['features'] },
      ]);
    },
  },
  containerd: {
    program: '/usr/bin/containerd',
    run: (dir) => {
      writeFileSync(join(dir, 'empty.toml'), 'version = 2\n');
      return trace('/usr/bin/containerd', dir, [{ args: ['--version'] }, { args: ['config', 'default'] }, { args: ['--config', join(dir, 'empty.toml'), 'config', 'dump'] }]);
    },
  },
};

soundnessSuite(WORKLOADS, {
  prepare: async () => {
    for (const name of ['go-server', 'go-abi0', 'go-indirect', 'go-setuid', 'go-cgo']) await buildTrap(name);
  },
});
