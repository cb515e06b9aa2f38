// The compiled filter, loaded by the real kernel through the real launcher: a trap program's own
// analysed policy, tightened by a review, installed by confine-launch; allowed syscalls work, the
// denied ones return EPERM, an x32 number is refused, a number above the table gets ENOSYS. And
// libseccomp's own disassembler (scmp_bpf_disasm, built from Debian's source by the test-image
// builder) reads the export as the program it is meant to be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../analyze.js';
import { buildTrap } from '../../test/support/build-traps.js';
import { argumentReviewKey } from './review.js';
import { launchedPolicy } from './launched-policy.js';
import { compileBpf } from './bpf-compile.js';
import { nativeTool } from './native-tools.js';
import { hardenedPaths } from '../harden/layout.js';
import { MAX_SYSCALL, syscallNumber } from '../x86_64/syscall-table.js';

const BUILDS = '/var/cache/confine-test-images';
function builtTool(name: string): string | undefined {
  if (!existsSync(BUILDS)) return undefined;
  return readdirSync(BUILDS)
    .filter((d) => d.startsWith('builds-'))
    .map((d) => join(BUILDS, d, name))
    .find((p) => existsSync(p));
}

const EPERM = 1;
const ENOSYS = 38;
const MADV_DONTNEED = 4;

test('a compiled filter under confine-launch: allowed calls run, denied ones get EPERM, x32 is refused, past the table is ENOSYS', { timeout: 300_000 }, async () => {
  const trap = await buildTrap('filter-probe');
  const dir = mkdtempSync(join(tmpdir(), 'confine-bpf-'));
  try {
    const report = await analyze({ rootfs: '/', programs: [trap], cacheDir: join(dir, 'cache') });
    assert.ok(report.syscalls.some((s) => s.name === 'getppid'), 'the probe makes getppid');
    const madvise = report.syscalls.find((s) => s.name === 'madvise');
    assert.ok(madvise?.args?.some((a) => a.index === 2 && a.values.includes(0) && a.values.includes(MADV_DONTNEED)), `madvise has an advice rule with 0 and 4: ${JSON.stringify(madvise?.args)}`);
    const review = { getppid: { decision: 'deny' as const, note: 'test' }, [argumentReviewKey('madvise', 2, MADV_DONTNEED)]: { decision: 'deny' as const, note: '' } };
    const policy = launchedPolicy(report, trap, review);
    assert.ok(!policy.entries.some((e) => e.name === 'getppid'));
    const bpf = await compileBpf(policy.entries);
    assert.equal(bpf.length % 8, 0, 'an array of struct sock_filter');

    // The hardened layout, on the host: the launcher at the program's path, the program moved aside.
    const at = hardenedPaths(join(dir, 'bin', 'filter-probe'));
    mkdirSync(join(dir, 'bin', '.confine'), { recursive: true });
    copyFileSync(nativeTool('confine-launch'), at.launcher);
    copyFileSync(trap, at.moved);
    execFileSync('chmod', ['755', at.launcher, at.moved]);
    symlinkSync(at.linkTarget, at.link);
    writeFileSync(at.filter, bpf);

    const run = spawnSync(at.launcher, [], { encoding: 'utf8' });
    assert.equal(run.status, 0, `the probe failed under its filter: ${run.stderr}`);
    const seen = Object.fromEntries(run.stdout.trim().split('\n').map((l) => { const [name, r, e] = l.split(' '); return [name, { r: Number(r), errno: Number(e) }]; }));
    assert.deepEqual(seen.getpid, { r: 1, errno: 0 }, 'an allowed syscall runs');
    assert.deepEqual(seen.getppid, { r: -1, errno: EPERM }, 'a syscall the review denied gets EPERM');
    assert.deepEqual(seen.madvise0, { r: 0, errno: 0 }, 'a value inside the argument rule passes');
    assert.deepEqual(seen.madvise4, { r: -1, errno: EPERM }, 'a value the review removed gets EPERM');
    assert.deepEqual(seen.x32, { r: -1, errno: EPERM }, 'an x32 number is refused like a denied syscall');
    assert.deepEqual(seen.beyond, { r: -1, errno: ENOSYS }, 'a number above the table gets ENOSYS');
    // Without the filter the same probe is not refused (so the outcomes above are the filter's).
    const bare = spawnSync(trap, [], { encoding: 'utf8' }).stdout;
    assert.match(bare, /^getppid [1-9]\d* 0$/m);
    assert.match(bare, /^madvise4 0 0$/m);

    // A missing or broken filter: the program is not started, exit 125 and the file named.
    writeFileSync(at.filter, Buffer.alloc(12));
    const broken = spawnSync(at.launcher, [], { encoding: 'utf8' });
    assert.equal(broken.status, 125);
    assert.match(broken.stderr, new RegExp(`${at.filter.replace(/[.]/g, '\\.')}: not a seccomp BPF program`));
    assert.equal(broken.stdout, '', 'the program did not run');

    // libseccomp's disassembler reads the export; check its shape instruction by instruction.
    const disasm = builtTool('scmp_bpf_disasm');
    if (!disasm) {
      assert.ok(!process.env.CONFINE_REQUIRE_ENGINE, 'scmp_bpf_disasm is missing: run e2e/images/build.sh');
      return;
    }
    const text = execFileSync(disasm, ['-a', 'x86_64'], { input: bpf, encoding: 'utf8' });
    const lines = text.split('\n').filter((l) => /^ \d{4}: /.test(l));
    assert.equal(lines.length, bpf.length / 8, 'one line per instruction');
    // Our prefix: the architecture, then x32 and the numbers above the table.
    assert.match(lines[0], /ld\s+\$data\[4\]/);
    assert.match(lines[1], /jeq 3221225534 /, 'AUDIT_ARCH_X86_64');
    assert.match(lines[3], /jge 1073741824 /, 'the x32 bit');
    assert.match(lines[4], new RegExp(`jgt ${MAX_SYSCALL} `));
    assert.match(lines[5], /ret ERRNO\(38\)/);
    // Every allowed number is compared somewhere, getppid nowhere, and the default is EPERM.
    const compared = new Set([...text.matchAll(/jeq (\d+)\s/g)].map((m) => Number(m[1])));
    for (const e of policy.entries) assert.ok(compared.has(e.nr), `${e.name} (${e.nr}) is not compared in the program`);
    assert.ok(!compared.has(syscallNumber('getppid')!), 'getppid is compared although the policy has no rule for it');
    assert.match(lines.at(-1)!, /ret ERRNO\(1\)/, 'the default action is EPERM');
    assert.ok(lines.some((l) => /ret ALLOW/.test(l)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
