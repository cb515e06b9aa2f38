// Per-program rows of the Policy page and the raw BPF preview, on a real analysis of two host
// programs (the same engine the app runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../analysis/analyze.js';
import { compileBpf } from '../../analysis/policy/bpf-compile.js';
import { policyEntries } from '../../analysis/policy/exports.js';
import { defaultHardened, programRows } from './programs-model.js';
import { previewOf } from './exports.js';

test('each program: its code, its own filter, what only it needs; the BPF preview lists every instruction', { timeout: 300_000 }, async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'confine-programs-'));
  try {
    const report = await analyze({ rootfs: '/', programs: ['/usr/bin/true', '/usr/bin/id'], cacheDir });
    const rows = programRows(report);
    assert.deepEqual(rows.map((r) => r.path), ['/usr/bin/true', '/usr/bin/id']);
    for (const r of rows) {
      const summary = report.programs.find((p) => p.path === r.path)!;
      assert.equal(r.own, summary.syscalls, `${r.path}: its code's count differs from the report's`);
      for (const name of r.only) {
        const s = report.syscalls.find((x) => x.name === name)!;
        assert.deepEqual(s.programs, [r.path], `${name} is not ${r.path}'s alone`);
      }
      // Every syscall its code needs is in its filter, but those answered with ENOSYS (clone3).
      const answered = report.syscalls.filter((s) => s.programs.includes(r.path) && s.enosys).length;
      assert.ok(r.filter >= r.own - answered, `${r.path}: its filter (${r.filter}) lost syscalls its code needs (${r.own}, ${answered} answered with ENOSYS)`);
    }
    // id reads the user database (NSS): it needs syscalls true does not.
    assert.ok(rows[1].only.length > 0, 'id needs nothing true does not');
    // The review applies: a denied syscall leaves the filter of the program that needs it.
    const name = rows[1].only.find((n) => !report.syscalls.find((s) => s.name === n)?.enosys)!;
    const reviewed = programRows(report, { [name]: { decision: 'deny', note: '', updatedAt: '' } });
    assert.equal(reviewed[1].filter, rows[1].filter - 1);
    assert.deepEqual(defaultHardened(rows), [], 'nothing ran: nothing is ticked');
    assert.deepEqual(defaultHardened(rows.map((r, i) => ({ ...r, running: i === 1 }))), ['/usr/bin/id']);

    const bytes = await compileBpf(policyEntries(report));
    const preview = previewOf({ format: 'bpf', filename: 'x.bpf', mime: 'application/octet-stream', text: bytes.toString('base64'), encoding: 'base64' });
    assert.equal(preview.bytes, bytes.length);
    const lines = preview.text.split('\n');
    assert.equal(lines.length, bytes.length / 8);
    assert.equal(lines[0], '0000: code 0x0020 jt 0 jf 0 k 0x00000004');
    assert.match(lines.at(-1)!, /^\d{4}: code 0x0006 jt 0 jf 0 k 0x00050001$/, 'the last instruction returns ERRNO(EPERM)');
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
