// Design rule 8: a program the engine cannot model soundly is reported "not fully analysed" with
// the reason, the summary says so, and --strict exits 3. One trap program per reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrap } from './support/build-traps.js';
import { CONFINE_BIN } from './support/paths.js';

function confine(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CONFINE_BIN, ...args], { timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

interface Program {
  path: string;
  notFullyAnalysed?: string[];
}

const CASES: { trap: string; reason: RegExp; what: string }[] = [
  { trap: 'partial-bare', what: 'an unknown runtime (hand-written, no libc, no unwind information, no symbols)', reason: /runtime the analysis does not recognise/ },
  { trap: 'partial-hidden', what: 'executable bytes no discovered function covers, above the threshold', reason: /executable bytes \([0-9.]+%\) are code no discovered function covers/ },
  { trap: 'partial-jit', what: 'code generated at run time (mmap with PROT_EXEC)', reason: /makes memory executable \(mmap with PROT_EXEC/ },
  { trap: 'partial-dlopen', what: 'dlopen and dlsym of names computed at run time, with no phase 1', reason: /dlopen with a name computed at run time in main/ },
];

for (const c of CASES) {
  test(`not fully analysed: ${c.what}; --strict exits 3`, { timeout: 300_000 }, async () => {
    const binary = await buildTrap(c.trap);
    const dir = mkdtempSync(join(tmpdir(), 'confine-partial-'));
    try {
      const json = join(dir, 'report.json');
      const r = await confine(['analyze', '--rootfs', '/', '--program', binary, '--json', json, '--strict', '--no-cache']);
      assert.equal(r.code, 3, `--strict exit code\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /1 program\(s\) not fully analysed/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { programs: Program[]; unresolved: unknown[] };
      const reasons = report.programs.find((p) => p.path === binary)?.notFullyAnalysed ?? [];
      assert.ok(reasons.some((x) => c.reason.test(x)), `reasons: ${JSON.stringify(reasons)}`);
      // Without it, --strict would pass: the bare program has nothing else for review.
      if (c.trap === 'partial-bare') assert.deepEqual(report.unresolved, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a program that is fully analysed carries no reason (and --strict is then decided by unresolved sites alone)', { timeout: 300_000 }, async () => {
  const binary = await buildTrap('go-abi0');
  const dir = mkdtempSync(join(tmpdir(), 'confine-partial-'));
  try {
    const json = join(dir, 'report.json');
    const r = await confine(['analyze', '--rootfs', '/', '--program', binary, '--json', json, '--strict']);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { programs: Program[]; unresolved: unknown[] };
    assert.equal(report.programs[0].notFullyAnalysed, undefined, JSON.stringify(report.programs[0]));
    assert.equal(r.code, report.unresolved.length > 0 ? 3 : 0, r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
