// Phase 3, part 1 (issue 11): argument values found by the register dataflow, carried through a
// local wrapper and libc's socket(), joined over an OR of constants chosen at run time, and left
// unrestricted for a value loaded from memory. (libc's own socket() calls join the family rule;
// their types are computed, so socket's type stays unrestricted.) Every value the program really passes (strace with
// raw numbers) lies inside the rule the report gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrap } from './support/build-traps.js';
import { analyze, type ConfineReport } from './support/confine.js';

type Rule = { index: number; name: string; values: number[] };

function rule(r: ConfineReport, syscall: string, index: number): number[] | undefined {
  const s = r.syscalls.find((x) => x.name === syscall) as { args?: Rule[] } | undefined;
  return s?.args?.find((a) => a.index === index)?.values;
}

test('argument rules: constants at the site, through wrappers and libc, an OR of constants; a value from memory stays unrestricted', { timeout: 300_000 }, async () => {
  const binary = await buildTrap('args');
  const report = await analyze([binary]);
  const AF_UNIX = 1;
  const AF_INET = 2;
  const AF_INET6 = 10;
  const CLONE_NEWUTS = 0x04000000;
  const CLONE_NEWIPC = 0x08000000;

  const family = rule(report, 'socket', 0);
  assert.ok(family, 'socket has a family rule');
  for (const f of [AF_UNIX, AF_INET, AF_INET6]) assert.ok(family.includes(f), `socket family ${f} is in the rule ${family}`);
  assert.ok(family.length <= 8, `the family rule is a short list: ${family}`);
  assert.deepEqual(rule(report, 'unshare', 0), [CLONE_NEWUTS, CLONE_NEWUTS | CLONE_NEWIPC]);
  assert.deepEqual(rule(report, 'personality', 0), [0xffffffff]);
  assert.equal(rule(report, 'prctl', 0), undefined, 'an option loaded from memory gives no rule');
  // Each value says where it comes from: a value the trap passes to libc's socket() is a constant at
  // the trap's own call, and its path ends there.
  const fromOf = (syscall: string): { value: number; object: string; path: { object: string }[] }[] =>
    ((report.syscalls.find((x) => x.name === syscall) as { args?: (Rule & { from?: { value: number; object: string; path: { object: string }[] }[] })[] }).args ?? [])[0]?.from ?? [];
  const inet6 = fromOf('socket').find((f) => f.value === AF_INET6);
  assert.ok(inet6, 'AF_INET6 has no source');
  assert.equal(inet6.object, binary, `AF_INET6 comes from ${inet6.object}`);
  assert.equal(inet6.path.at(-1)?.object, binary);
  assert.deepEqual(fromOf('unshare').map((f) => f.value), rule(report, 'unshare', 0));

  // What the program passes for real, on its rare paths too, lies inside the rules.
  const dir = mkdtempSync(join(tmpdir(), 'confine-args-'));
  try {
    const out = join(dir, 'trace');
    execFileSync('strace', ['-f', '-qq', '-X', 'raw', '-e', 'trace=socket,unshare,personality', '-o', out, binary, '1', '2', '3', '4', '5'], { stdio: 'ignore' });
    const calls = readFileSync(out, 'utf8').split('\n').map((l) => /(socket|unshare|personality)\((0x[0-9a-f]+|\d+)/.exec(l)).filter((m) => m !== null);
    assert.ok(calls.length >= 4, `strace saw ${calls.length} calls`);
    for (const m of calls) {
      const v = Number(m[2]);
      assert.ok(rule(report, m[1], 0)?.includes(v), `${m[1]}(${m[2]}) is outside its rule`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
