// The soundness harness shared by the suites of real and trap programs: each workload runs its
// program under strace (one or more steps), one `confine analyze` covers every program of a suite,
// and every syscall strace saw must be in the static set of the program that made it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, describeMissing, missingFrom, type ConfineReport } from './confine.js';
import { straceProgram, type DuringContext } from './strace.js';

export function env(home: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: home };
}

/** One traced run of the program; `expectExit` 'any' accepts whatever status a stopped server ends with. */
export interface Step {
  args?: string[];
  command?: string[];
  input?: string;
  cwd?: string;
  expectExit?: number | 'any';
  during?: (ctx: DuringContext) => Promise<void>;
  stopSignal?: NodeJS.Signals;
  timeoutMs?: number;
  /** Added to the environment (PATH, LANG, HOME=dir). */
  env?: Record<string, string>;
}

/** Runs every step under strace and returns the union of the program's syscalls. */
export async function trace(program: string, dir: string, steps: Step[]): Promise<Set<string>> {
  const all = new Set<string>();
  for (const step of steps) {
    const what = `${program} ${(step.command ?? step.args ?? []).join(' ')}`;
    const r = await straceProgram({
      program,
      args: step.args,
      command: step.command,
      input: step.input,
      cwd: step.cwd ?? dir,
      env: { ...env(dir), ...step.env },
      during: step.during,
      stopSignal: step.stopSignal,
      timeoutMs: step.timeoutMs ?? 60_000,
    });
    assert.equal(r.timedOut, false, `${what}: timed out\n${r.stderr}`);
    assert.deepEqual(r.unparsed, [], `${what}: strace lines the harness could not parse`);
    assert.ok(r.targetPids.length > 0, `${what}: never ran ${program}`);
    const expected = step.expectExit ?? 0;
    if (expected !== 'any') assert.equal(r.exitCode, expected, `${what}: exit status\n${r.stderr}`);
    for (const name of r.syscalls) all.add(name);
  }
  return all;
}

/** Runs a helper program outside strace (clients, fixtures); never rejects on a non-zero exit. */
export function tool(cmd: string, args: string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, env: env(opts.cwd ?? tmpdir()) }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.on('error', () => {}); // a tool that exits without reading its input
    child.stdin?.end(opts.input ?? '');
  });
}

export async function mustRun(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): Promise<string> {
  const r = await tool(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A small tree of the kinds of files copy and archive tools treat specially. */
export async function makeTree(root: string): Promise<void> {
  mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'a.txt'), 'alpha\n'.repeat(100));
  writeFileSync(join(root, 'sub', 'b.txt'), 'beta\n');
  writeFileSync(join(root, 'sub', 'deeper', 'c.bin'), Buffer.alloc(300_000, 7));
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  chmodSync(join(root, 'sub', 'b.txt'), 0o640);
  writeFileSync(join(root, 'sparse.img'), '');
  truncateSync(join(root, 'sparse.img'), 1 << 20);
  symlinkSync('a.txt', join(root, 'link-to-a'));
  symlinkSync('missing-target', join(root, 'dangling'));
  linkSync(join(root, 'a.txt'), join(root, 'hardlink-to-a'));
  await mustRun('mkfifo', [join(root, 'fifo')]);
  const old = new Date('2020-01-02T03:04:05Z');
  utimesSync(join(root, 'sub', 'b.txt'), old, old);
}

export interface Workload {
  program: string;
  /** Other executables the workload drives (clients, fixture tools). */
  needs?: string[];
  run(dir: string): Promise<Set<string>>;
  /** Syscalls a trap program exists for, which the static set must hold even when the run does not make them. */
  expect?: string[];
  /** The program's path inside the suite's rootfs, when that is not `/` (`program` is where it runs). */
  inRootfs?: string;
}

export function absentFor(w: Workload): string[] {
  return [w.program, ...(w.needs ?? [])].filter((p) => !existsSync(p));
}

/**
 * Registers one test per workload. One `confine analyze` over every installed program (after
 * `prepare`, e.g. building trap programs) serves them all: shared libraries are analysed once and
 * the report says which program needs each syscall. It runs while the workloads do.
 */
export function soundnessSuite(workloads: Record<string, Workload>, opts: { prepare?: () => Promise<void>; timeoutMs?: number; rootfs?: () => string } = {}): void {
  const combinedReport: Promise<ConfineReport | undefined> = (async () => {
    await opts.prepare?.();
    const installed = Object.values(workloads).filter((w) => absentFor(w).length === 0).map((w) => w.inRootfs ?? w.program);
    return installed.length > 0 ? analyze(installed, { timeoutMs: opts.timeoutMs ?? 540_000, rootfs: opts.rootfs?.() }) : undefined;
  })();
  // A failure is reported by each test that awaits it; this only keeps it from counting as unhandled.
  combinedReport.catch(() => {});
  for (const [name, w] of Object.entries(workloads)) {
    test(name, { timeout: 600_000 }, async (t) => {
      const report = await combinedReport;
      const absent = absentFor(w);
      if (absent.length > 0 || !report) {
        t.skip(`not installed: ${absent.join(', ')}`);
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), `confine-soundness-${name.replace(/[^\w-]/g, '_')}-`));
      try {
        const observed = await w.run(dir);
        assert.ok(observed.size > 10, `${name}: strace saw only ${[...observed].join(' ')}`);
        const own = { ...report, syscalls: report.syscalls.filter((s) => s.programs.includes(w.inRootfs ?? w.program)) };
        assert.ok(own.syscalls.length > 0, `the report attributes no syscalls to ${w.program}`);
        t.diagnostic(`${w.program}: static analysis allows ${own.syscalls.length} syscalls; strace saw ${observed.size}`);
        const missing = missingFrom(observed, own);
        assert.deepEqual(missing, [], describeMissing(w.program, missing));
        const missingExpected = missingFrom(w.expect ?? [], own);
        assert.deepEqual(missingExpected, [], `${w.program}: the static set lacks the syscalls this trap is about: ${missingExpected.join(', ')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
