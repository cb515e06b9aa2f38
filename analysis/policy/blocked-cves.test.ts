// The CVE table and the verdicts against it: the shipped table is checked, Docker's own default
// profile (bundled) is judged by its real rules (keyctl denied, AF_VSOCK refused by its NE rule,
// namespace flags by its clone mask, clone3 by ERRNO), and an exported policy's argument rules
// close a route only where they exclude the value the exploit needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cveRows, type CveRow } from './blocked-cves.js';
import { cveSummary } from './cve-verdicts.js';
import { checkCveTable, kernelCveTable, type CveTable } from './cve-table.js';
import { dockerDefaultProfileText, readDockerProfile } from './profile-import.js';
import { admitsLow32, admitsSomeBit } from './seccomp-condition.js';
import { allowedByEntries, type PolicyEntry } from './exports.js';
import { syscallNumber } from '../x86_64/syscall-table.js';

const CLONE_NEWUSER = 0x10000000;

function row(rows: CveRow[], id: string): CveRow {
  const r = rows.find((x) => x.id === id);
  assert.ok(r, `${id} is not in the table`);
  return r;
}

function entries(spec: Record<string, PolicyEntry['args']>): PolicyEntry[] {
  return Object.entries(spec).map(([name, args]) => ({ name, nr: syscallNumber(name)!, reason: 'test', ...(args ? { args } : {}) }));
}

test('the shipped table has at least 28 entries, each with an https source and known syscalls', () => {
  const t = kernelCveTable();
  assert.ok(t.cves.length >= 28, `${t.cves.length} entries`);
  for (const e of t.cves) assert.ok(e.sources.some((s) => s === `https://nvd.nist.gov/vuln/detail/${e.id}`), `${e.id} does not cite its NVD entry`);
});

test('a malformed table is an error naming the entry', () => {
  const bad = (cves: unknown): CveTable => ({ conditions: {}, cves }) as unknown as CveTable;
  assert.throws(() => checkCveTable(bad([{ id: 'CVE-2020-1', summary: 's', needs: [[{ syscall: 'read' }]], sources: ['https://x'] }])), /CVE-2020-1: not a CVE id/);
  assert.throws(() => checkCveTable(bad([{ id: 'CVE-2020-1234', summary: 's', needs: [[{ syscall: 'no_such' }]], sources: ['https://x'] }])), /CVE-2020-1234: no_such is not an x86-64 syscall/);
  assert.throws(() => checkCveTable(bad([{ id: 'CVE-2020-1234', summary: 's', needs: [[{ syscall: 'read' }]], sources: [] }])), /CVE-2020-1234: needs at least one https source/);
  assert.throws(() => checkCveTable(bad([{ id: 'CVE-2020-1234', summary: 's', needs: [[{ condition: 'nope' }]], sources: ['https://x'] }])), /unknown condition nope/);
  assert.throws(() => checkCveTable(bad([{ id: 'CVE-2020-1234', summary: 's', needs: [[{ syscall: 'socket', values: [17] }]], sources: ['https://x'] }])), /needs arg/);
});

test("Docker's default profile, judged by its own rules", () => {
  const docker = readDockerProfile(dockerDefaultProfileText(), 'docker-default.json', '6.1.0').allowed;
  const rows = cveRows(docker, docker);
  // keyctl is not in the default allow list: denied outright.
  assert.equal(row(rows, 'CVE-2016-0728').policy.status, 'denied');
  // socket is allowed when family != AF_VSOCK (SCMP_CMP_NE 40) on the whole register, but the
  // kernel reads an int: 0x100000028 passes the rule and is AF_VSOCK. Not a block.
  assert.equal(row(rows, 'CVE-2021-26708').policy.status, 'open');
  // AF_PACKET is allowed (Docker grants CAP_NET_RAW).
  assert.equal(row(rows, 'CVE-2017-7308').policy.status, 'open');
  // A user namespace: unshare denied, clone masked against CLONE_NEWUSER, clone3 fails with ENOSYS.
  assert.equal(row(rows, 'CVE-2018-18955').policy.status, 'argument');
  // personality only with 0, 8, 0x20000, 0x20008, 0xffffffff: MMAP_PAGE_ZERO is refused.
  assert.equal(row(rows, 'CVE-2009-1895').policy.status, 'argument');
  // splice and sendfile are allowed: Dirty Pipe stays open.
  assert.equal(row(rows, 'CVE-2022-0847').policy.status, 'open');
  assert.match(row(rows, 'CVE-2022-0847').policy.how, /^allowed: splice/);
});

test("an exported policy's argument rules close a route only where they exclude the value", () => {
  const low32 = (v: number): { index: number; value: number; valueTwo: number; op: 'SCMP_CMP_MASKED_EQ' }[] => [{ index: 0, value: 0xffffffff, valueTwo: v, op: 'SCMP_CMP_MASKED_EQ' }];
  const inetOnly = allowedByEntries(entries({ socket: [low32(1), low32(2), low32(10)], splice: undefined }));
  const rows = cveRows(inetOnly);
  assert.equal(row(rows, 'CVE-2017-7308').policy.status, 'argument');
  assert.equal(row(rows, 'CVE-2021-26708').policy.status, 'argument');
  assert.equal(row(rows, 'CVE-2016-0728').policy.status, 'denied');
  assert.equal(row(rows, 'CVE-2022-0847').policy.status, 'open');
  assert.equal(row(rows, 'CVE-2022-0847').dockerDefault, undefined);
  // A rule on the family says nothing about the type: DCCP (a type) stays open.
  assert.equal(row(rows, 'CVE-2017-6074').policy.status, 'open');
  // The same syscall without a rule leaves AF_PACKET open.
  assert.equal(row(cveRows(allowedByEntries(entries({ socket: undefined }))), 'CVE-2017-7308').policy.status, 'open');
  // clone allowed only with the bits of a thread's flags: no user namespace through it, but clone3 is another route.
  const threadOnly = [{ index: 0, value: ~0x3d0f00 >>> 0, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' as const }];
  assert.equal(row(cveRows(allowedByEntries(entries({ clone: [threadOnly] }))), 'CVE-2018-18955').policy.status, 'argument');
  assert.equal(row(cveRows(allowedByEntries(entries({ clone: [threadOnly], clone3: undefined }))), 'CVE-2018-18955').policy.status, 'open');
  const counts = cveSummary(rows);
  assert.equal(counts.policy.denied + counts.policy.argument + counts.policy.open, rows.length);
  assert.deepEqual(counts.dockerOnly, [], 'no Docker verdicts given');
});

test('a value is admitted when some register with those low 32 bits passes: exact for EQ and MASKED_EQ, never a block claimed on another comparison', () => {
  const ne = [{ index: 0, value: 40, op: 'SCMP_CMP_NE' as const }];
  assert.equal(admitsLow32(ne, 0, 40), true, 'NE 40 lets 0x100000028 through');
  assert.equal(admitsLow32([{ index: 0, value: 0xffffffff, valueTwo: 2, op: 'SCMP_CMP_MASKED_EQ' }], 0, 40), false);
  assert.equal(admitsLow32([{ index: 0, value: 0xffffffff, valueTwo: 40, op: 'SCMP_CMP_MASKED_EQ' }], 0, 40), true);
  assert.equal(admitsLow32([{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }], 0, 40), false);
  assert.equal(admitsLow32([{ index: 1, value: 2, op: 'SCMP_CMP_EQ' }], 0, 40), true, 'a rule on another argument');
  // The query-only personality value, as an export writes it, admits nothing MMAP_PAGE_ZERO needs.
  const queryOnly = allowedByEntries(entries({ personality: [[{ index: 0, value: 0xffffffff, valueTwo: 0xffffffff, op: 'SCMP_CMP_MASKED_EQ' }]] }));
  assert.equal(row(cveRows(queryOnly), 'CVE-2009-1895').policy.status, 'argument');
});

test('admitsSomeBit: exact for masks and equalities, never claims a block on another comparison', () => {
  const dockerClone = [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' as const }];
  assert.equal(admitsSomeBit(dockerClone, 0, CLONE_NEWUSER), false);
  assert.equal(admitsSomeBit(dockerClone, 0, 0x100), true);
  assert.equal(admitsSomeBit(dockerClone, 1, CLONE_NEWUSER), true, 'a rule on another argument');
  assert.equal(admitsSomeBit([{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }], 0, 0x100000), false);
  assert.equal(admitsSomeBit([{ index: 0, value: 0x100008, op: 'SCMP_CMP_EQ' }], 0, 0x100000), true);
  assert.equal(admitsSomeBit([{ index: 0, value: 5, op: 'SCMP_CMP_LT' }], 0, 0x100000), true, 'LT: no claim');
});
