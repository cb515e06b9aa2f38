// Per-program policies from a real two-program analysis of host binaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../analyze.js';
import { programProfileName, programSyscalls } from './per-program.js';

test("each program's policy is its own static set, inside the container-wide one", async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'confine-per-program-'));
  try {
    const report = await analyze({ rootfs: '/', programs: ['/usr/bin/true', '/usr/bin/id'], cacheDir });
    const all = new Set(report.syscalls.map((s) => s.nr));
    for (const p of ['/usr/bin/true', '/usr/bin/id']) {
      const mine = programSyscalls(report, p);
      const summary = report.programs.find((x) => x.path === p)!;
      assert.equal(mine.length, summary.syscalls, `${p}: the per-program set differs from the program's own count`);
      for (const s of mine) assert.ok(all.has(s.nr));
    }
    // id looks users up (NSS, setgroups paths): it needs syscalls true never makes.
    assert.ok(programSyscalls(report, '/usr/bin/id').length > programSyscalls(report, '/usr/bin/true').length);
    assert.equal(programProfileName('/usr/sbin/nginx'), 'usr-sbin-nginx');
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
