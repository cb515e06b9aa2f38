import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { findTracefs, removeStaleInstances, TraceInstance } from './tracefs.js';
import type { TraceEvent } from './trace-events.js';

let root: string | undefined;
let skip: string | undefined;
before(async () => {
  if (process.getuid?.() !== 0) {
    skip = 'tracefs needs root';
    return;
  }
  try {
    root = await findTracefs();
  } catch (e) {
    skip = `no tracefs: ${(e as Error).message}`;
  }
});

test('a private instance sees a child process fork, exec and exit, and is removed on close', async (t) => {
  if (skip || !root) return t.skip(skip);
  const inst = TraceInstance.create(root);
  const events: TraceEvent[] = [];
  let pid: number | undefined;
  try {
    assert.ok(fs.existsSync(inst.dir));
    assert.match(path.basename(inst.dir), new RegExp(`^confine-${process.pid}-[0-9a-f]{8}$`));
    assert.equal(fs.readFileSync(path.join(inst.dir, 'trace_clock'), 'utf8').includes('[mono]'), true);
    const child = spawn('/bin/sh', ['-c', '/bin/true; exit 0'], { stdio: 'ignore' });
    pid = child.pid;
    await once(child, 'exit');
    // Drain until the child's exit shows up (the reader never blocks).
    for (let i = 0; i < 50 && !events.some((e) => e.kind === 'exit' && e.pid === child.pid); i++) {
      events.push(...inst.drain());
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    assert.equal(inst.close(), undefined);
  }
  assert.ok(!fs.existsSync(inst.dir), 'instance directory removed');
  assert.equal(inst.close(), undefined, 'closing twice is harmless');
  assert.ok(events.some((e) => e.kind === 'fork' && e.pid === process.pid && e.childPid === pid), 'fork by this process');
  assert.ok(events.some((e) => e.kind === 'exec' && e.pid === pid && e.filename === '/bin/sh'), 'exec of /bin/sh');
  const sh = events.filter((e) => e.kind === 'fork' && e.pid === pid).map((e) => (e.kind === 'fork' ? e.childPid : 0));
  assert.ok(events.some((e) => e.kind === 'exec' && sh.includes(e.pid) && e.filename === '/bin/true'), 'exec of /bin/true by the shell child');
  // Timestamps are CLOCK_MONOTONIC microseconds, comparable with process.hrtime.
  const nowUs = Number(process.hrtime.bigint() / 1000n);
  assert.ok(events.every((e) => e.ts <= nowUs && e.ts > nowUs - 60e6));
});

test('instances left by a dead recorder are removed, live ones kept', async (t) => {
  if (skip || !root) return t.skip(skip);
  // A pid far above pid_max's default cannot be alive.
  const stale = path.join(root, 'instances', `confine-${2 ** 22 + 7}-deadbeef`);
  const mine = TraceInstance.create(root);
  try {
    // Another test file's recorder starting meanwhile sweeps the same directory and may take the
    // planted instance first: then the sweep is tried again, until one sees it (a few tries).
    let removed: string[] = [];
    for (let attempt = 0; attempt < 5 && !removed.includes(path.basename(stale)); attempt++) {
      if (!fs.existsSync(stale)) fs.mkdirSync(stale);
      removed = removeStaleInstances(root);
    }
    assert.ok(removed.includes(path.basename(stale)));
    assert.ok(!fs.existsSync(stale));
    assert.ok(fs.existsSync(mine.dir));
  } finally {
    mine.close();
    if (fs.existsSync(stale)) fs.rmdirSync(stale);
  }
});
