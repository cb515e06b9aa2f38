// Builds the trap programs in test/traps/ into test/traps/build/ (git-ignored) with the system's
// compilers: gcc, musl-gcc (musl-tools) and Debian's Go toolchain (golang-go, with golang.org/x/sys
// from golang-golang-x-sys-dev), rebuilding only when a source is newer than its output or the
// compiler command changed.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** Directory holding the trap sources. */
export const TRAPS_DIR = join(REPO_ROOT, 'test', 'traps');
/** Directory the built traps go to. */
export const TRAPS_BUILD_DIR = join(TRAPS_DIR, 'build');

interface TrapRecipe {
  sources: string[];
  /** Extra compiler flags; `{lib:NAME}` is replaced by the absolute path of the built library NAME. */
  flags: string[];
  /** Other recipes this one needs built first. */
  needs?: string[];
  /** gcc by default. */
  compiler?: 'gcc' | 'g++' | 'musl-gcc' | 'go';
  /** For Go: whether cgo is on (CGO_ENABLED). */
  cgo?: boolean;
}

// Optimised like a release build, so that the traps look like the binaries they stand for.
const CFLAGS = ['-O2', '-g0', '-Wall', '-Werror'];

const RECIPES: Record<string, TrapRecipe> = {
  'rare-path': { sources: ['rare-path.c'], flags: [] },
  'direct-syscall': { sources: ['direct-syscall.c'], flags: [] },
  callbacks: { sources: ['callbacks.c'], flags: [] },
  'fnptr-table': { sources: ['fnptr-table.c'], flags: [] },
  'fnptr-var': { sources: ['fnptr-var.c'], flags: [] },
  'dead-table': { sources: ['dead-table.c'], flags: [] },
  args: { sources: ['args.c'], flags: [] },
  'syscall-probe': { sources: ['syscall-probe.c'], flags: [] },
  'filter-probe': { sources: ['filter-probe.c'], flags: [] },
  threads: { sources: ['threads.c'], flags: [] },
  'threads-clone3': { sources: ['threads.c'], flags: ['-DDIRECT_CLONE3'] },
  'displaced-table': { sources: ['displaced-table.c'], flags: ['-fno-pie', '-no-pie'] },
  'displaced-table-pie': { sources: ['displaced-table.c'], flags: [] },
  'dead-table-stripped': { sources: ['dead-table.c'], flags: ['-s'] },
  'libtrap-dlopen.so': { sources: ['dlopen-lib.c'], flags: ['-shared', '-fPIC'] },
  'dlopen-main': {
    sources: ['dlopen-main.c'],
    flags: ['-DLIBPATH="{lib:libtrap-dlopen.so}"', '-ldl'],
    needs: ['libtrap-dlopen.so'],
  },
  'pthread-cancel': { sources: ['pthread-cancel.c'], flags: ['-pthread'] },
  'fno-plt': { sources: ['fno-plt.c'], flags: ['-fno-plt'] },
  ibt: { sources: ['ibt.c'], flags: ['-fcf-protection=full', '-Wl,-z,ibtplt'] },
  'static-pie': { sources: ['static-pie.c'], flags: ['-static-pie'] },
  'dlsym-const': { sources: ['dlsym-const.c'], flags: ['-ldl'] },
  'cxx-catch': { compiler: 'g++', sources: ['cxx-catch.cc'], flags: [] },
  // Programs the engine cannot model soundly, each for one reason (test/not-fully-analysed.test.ts).
  'partial-bare': { sources: ['partial/bare.S'], flags: ['-nostdlib', '-static', '-s'] },
  'partial-hidden': { sources: ['partial/hidden-code.c'], flags: ['-s'] },
  'partial-jit': { sources: ['partial/jit.c'], flags: [] },
  'partial-dlopen': { sources: ['partial/computed-dlopen.c'], flags: ['-ldl'] },
  // Go: a stripped non-PIE server with no dynamic section, x/sys/unix's ABI0 entry points in a
  // PIE, interface/closure/reflection calls, AllThreadsSyscall, and cgo.
  'go-server': { compiler: 'go', sources: ['../../e2e/images/builds/go-server.go'], flags: ['-ldflags=-s'], cgo: false },
  'go-abi0': { compiler: 'go', sources: ['go/abi0.go'], flags: ['-buildmode=pie'], cgo: false },
  'go-indirect': { compiler: 'go', sources: ['go/indirect.go'], flags: [], cgo: false },
  'go-setuid': { compiler: 'go', sources: ['go/setuid.go'], flags: [], cgo: false },
  'go-cgo': { compiler: 'go', sources: ['go/cgo.go'], flags: [], cgo: true },
  // musl (musl-gcc): a dynamic program, the same program static, and one that dlopens a module.
  'musl-prog': { compiler: 'musl-gcc', sources: ['musl/prog.c'], flags: [] },
  'musl-static': { compiler: 'musl-gcc', sources: ['musl/prog.c'], flags: ['-static'] },
  'libmusl-mod.so': { compiler: 'musl-gcc', sources: ['musl/mod.c'], flags: ['-shared', '-fPIC'] },
  'musl-dlopen': { compiler: 'musl-gcc', sources: ['musl/dlopen.c'], flags: ['-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib'], needs: ['libmusl-mod.so'] },
};

/** Names of every buildable trap output. */
export const TRAP_NAMES: readonly string[] = Object.keys(RECIPES);

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: TRAPS_DIR, timeout: 300_000, env: env ?? process.env }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

const inFlight = new Map<string, Promise<string>>();

/** Builds trap `name` if needed and returns the absolute path of the result. */
export function buildTrap(name: string): Promise<string> {
  let p = inFlight.get(name);
  if (!p) {
    p = build(name);
    inFlight.set(name, p);
  }
  return p;
}

async function build(name: string): Promise<string> {
  const recipe = RECIPES[name];
  if (!recipe) throw new Error(`no trap recipe named ${name}`);
  for (const dep of recipe.needs ?? []) await buildTrap(dep);
  mkdirSync(TRAPS_BUILD_DIR, { recursive: true });
  const output = join(TRAPS_BUILD_DIR, name);
  const flags = recipe.flags.map((f) => f.replace(/\{lib:([^}]+)\}/g, (_m, lib: string) => join(TRAPS_BUILD_DIR, lib)));
  const sources = recipe.sources.map((s) => join(TRAPS_DIR, s));
  const compiler = recipe.compiler ?? 'gcc';
  const args =
    compiler === 'go'
      ? ['build', ...flags, '-o', '{out}', ...sources]
      : [...CFLAGS, ...flags.filter((f) => !f.startsWith('-l')), ...sources, ...flags.filter((f) => f.startsWith('-l')), '-o', '{out}'];
  const env = compiler === 'go' ? goEnv(recipe.cgo === true) : undefined;
  const stamp = `${output}.cmd`;
  const command = JSON.stringify([compiler, ...args, env?.CGO_ENABLED ?? '']);
  const newestInput = Math.max(...sources.map((s) => statSync(s).mtimeMs));
  if (
    existsSync(output) &&
    statSync(output).mtimeMs >= newestInput &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === command
  ) {
    return output;
  }
  // Build beside the target and rename, so a concurrent test never runs a half-written file.
  const tmp = `${output}.tmp-${process.pid}`;
  try {
    await run(compiler, args.map((a) => (a === '{out}' ? tmp : a)), env);
    renameSync(tmp, output);
    writeFileSync(stamp, command);
  } finally {
    rmSync(tmp, { force: true });
  }
  return output;
}

/** Debian's Go toolchain, offline: GOPATH mode over the packaged sources, a build cache of our own. */
function goEnv(cgo: boolean): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: TRAPS_BUILD_DIR,
    GOCACHE: join(TRAPS_BUILD_DIR, '.gocache'),
    GOPATH: '/usr/share/gocode',
    GO111MODULE: 'off',
    GOFLAGS: '-trimpath',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: cgo ? '1' : '0',
  };
}
