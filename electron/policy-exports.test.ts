// Policy exports and the Docker profile reader, against real content: Docker's own default profile
// (bundled) and exports of a report-shaped policy read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDockerProfile, dockerDefaultProfileText } from '../analysis/policy/profile-import.js';
import { dockerExport, exportReport, kubernetesExport, ociExport, policyEntries, renderPolicy, SPO_API_VERSION } from '../analysis/policy/exports.js';
import { argumentReviewKey, parseArgumentReviewKey } from '../analysis/policy/review.js';
import { pathText } from '../analysis/policy/path-text.js';
import type { Report, SyscallEntry } from '../analysis/graph/report.js';
import { SYSCALL_NAMES, syscallNumber } from '../analysis/x86_64/syscall-table.js';
import { InputError } from '../analysis/errors.js';
import { parseYamlSubset } from './testkit.js';

const TABLE_SIZE = SYSCALL_NAMES.filter((n) => n !== undefined).length;

function entry(name: string, path: [string, string][], runtime = false): SyscallEntry {
  return {
    name,
    nr: syscallNumber(name)!,
    programs: ['/usr/sbin/nginx'],
    path: path.map(([object, fn], i) => ({ object, function: fn, address: (0x1000 + i * 16).toString(16), edge: i === 0 ? 'root' : 'call', site: (0x1004 + i * 16).toString(16) })),
    ...(runtime ? { runtime: true } : {}),
  };
}

const NGINX = '/usr/sbin/nginx';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';

function fakeReport(): Report {
  return {
    tool: 'confine',
    version: 3,
    kernel: '6.11',
    rootfs: '/',
    programs: [{ path: NGINX, objects: [NGINX, LIBC], syscalls: 4, unresolved: 0, warnings: [] }],
    syscalls: [
      entry('read', [[NGINX, 'main'], [NGINX, 'ngx_read'], [NGINX, 'read@plt'], [LIBC, 'read']]),
      entry('write', [[NGINX, 'main'], [LIBC, 'write']]),
      entry('accept4', [[NGINX, 'main'], [NGINX, 'ngx_event_accept'], [NGINX, 'accept4@plt'], [LIBC, 'accept4']]),
      entry('exit_group', [[NGINX, 'main'], [LIBC, 'exit'], [LIBC, '_exit']]),
      entry('capset', [], true),
    ].sort((a, b) => a.nr - b.nr),
    unresolved: [],
    warnings: [],
    runtime: { runtime: 'runc', version: '1.1.12', kernel: '6.1.0', syscalls: [{ nr: 126, name: 'capset' }], runs: 3, source: 'kmsg', cached: true },
    stats: { objects: 2, functions: 10, instructions: 100, cachedObjects: 0, seconds: 1 },
  };
}

test("Docker's bundled default profile: the well-known x86-64 set for default capabilities", () => {
  const p = readDockerProfile(dockerDefaultProfileText(), 'docker-default.json', '6.1.0');
  assert.equal(p.defaultAllow, false);
  // 349 names in the unconditional rule, of which the 32-bit and other-architecture ones are not
  // x86-64 calls, plus the conditional rules that apply: 298 with the Linux 6.11 table.
  assert.ok(p.names.size >= 290 && p.names.size <= 310, `docker-default allows ${p.names.size}`);
  for (const n of ['read', 'openat', 'clone', 'socket', 'personality', 'arch_prctl', 'modify_ldt', 'ptrace', 'process_vm_readv', 'chroot', 'io_uring_setup', 'epoll_ctl_old']) {
    assert.ok(p.names.has(n), `${n} is allowed by default`);
  }
  // Need a capability Docker does not grant by default, another architecture, or are errno rules.
  for (const n of ['clone3', 'mount', 'reboot', 'bpf', 'open_by_handle_at', 'init_module', 'kexec_load', 'unshare', 'setns', 'perf_event_open', 'iopl', 'syslog']) {
    assert.ok(!p.names.has(n), `${n} is denied by default`);
  }
  for (const n of ['chown32', 'socketcall', '_llseek', 'arm_fadvise64_64', 's390_runtime_instr', 'riscv_flush_icache']) assert.ok(p.unknown.includes(n), `${n} is not an x86-64 call`);
  // ptrace needs kernel 4.8 without CAP_SYS_PTRACE.
  assert.ok(!readDockerProfile(dockerDefaultProfileText(), 'd', '4.4.0').names.has('ptrace'));
  console.log(`docker-default: ${p.names.size} x86-64 syscalls allowed, ${p.unknown.length} names of other architectures ignored`);
});

test('an allow-by-default profile lists denials; conditional denials keep the call', () => {
  const p = readDockerProfile(
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['mount', 'reboot'], action: 'SCMP_ACT_ERRNO' },
        { names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 40, op: 'SCMP_CMP_EQ' }] },
        { names: ['kexec_load'], action: 'SCMP_ACT_KILL', includes: { caps: ['CAP_SYS_BOOT'] } },
        { name: 'swapon', action: 'SCMP_ACT_ERRNO' },
      ],
    }),
  );
  assert.equal(p.defaultAllow, true);
  assert.equal(p.names.size, TABLE_SIZE - 3);
  for (const n of ['mount', 'reboot', 'swapon']) assert.ok(!p.names.has(n));
  // The kexec_load denial only applies with a capability the container does not have.
  for (const n of ['socket', 'read', 'kexec_load']) assert.ok(p.names.has(n));
});

test('includes/excludes follow moby: all included caps needed, any excluded cap or arch excludes', () => {
  const p = readDockerProfile({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT', 'CAP_SYS_ADMIN'] } },
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['unshare'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_KILL'] } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
      { names: ['set_tls'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm'] } },
      { names: ['vhangup'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
      { names: ['getpid'], action: 'SCMP_ACT_LOG' },
      { names: ['kill'], action: 'SCMP_ACT_TRACE' },
    ],
  });
  assert.deepEqual([...p.names].sort(), ['arch_prctl', 'chroot', 'clone', 'getpid']);
});

test('bad profiles are input errors naming the profile', () => {
  assert.throws(() => readDockerProfile('{', 'mine.json'), (e: unknown) => e instanceof InputError && /mine\.json: not valid JSON/.test(e.message));
  assert.throws(() => readDockerProfile('[]', 'x'), InputError);
  assert.throws(() => readDockerProfile('{"syscalls": []}', 'x'), /defaultAction/);
  assert.throws(() => readDockerProfile('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": {}}', 'x'), /not a list/);
  assert.throws(() => readDockerProfile('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]}', 'x'), /no action/);
});

test('justifications name the object where it changes', () => {
  const r = fakeReport();
  assert.equal(pathText(r.syscalls.find((s) => s.name === 'accept4')!.path), 'nginx:main -> ngx_event_accept -> accept4@plt -> libc:accept4');
});

test('the review applies to every format, and exports read back to the same set', () => {
  const report = fakeReport();
  const entries = policyEntries(report, { write: { decision: 'deny', note: 'logs go to a pipe opened by the runtime' }, ptrace: { decision: 'allow', note: 'debugging sidecar' }, read: { decision: 'allow', note: 'seen in strace' } });
  const names = entries.map((e) => e.name);
  assert.deepEqual(names, ['read', 'ptrace', 'capset', 'exit_group', 'accept4']);
  const expected = new Set(names);

  const docker = dockerExport(entries);
  assert.equal(docker.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(docker.defaultErrnoRet, 1);
  assert.deepEqual(docker.architectures, ['SCMP_ARCH_X86_64']);
  const comment = (n: string): string | undefined => docker.syscalls.find((s) => s.names[0] === n)?.comment;
  assert.equal(comment('accept4'), 'accept4: nginx:main -> ngx_event_accept -> accept4@plt -> libc:accept4');
  assert.equal(comment('ptrace'), 'ptrace: added by review: debugging sidecar');
  assert.equal(comment('read'), 'read: nginx:main -> ngx_read -> read@plt -> libc:read (review: seen in strace)');
  assert.match(comment('capset')!, /^capset: made by the container runtime \(runc 1\.1\.12\)/);
  assert.deepEqual(readDockerProfile(JSON.stringify(docker)).names, expected);

  const oci = ociExport(entries);
  assert.deepEqual(Object.keys(oci).sort(), ['architectures', 'defaultAction', 'defaultErrnoRet', 'syscalls']);
  assert.deepEqual(oci.syscalls, [{ names: [...expected].sort(), action: 'SCMP_ACT_ALLOW' }]);
  assert.deepEqual(readDockerProfile(oci).names, expected);

  const yaml = kubernetesExport(entries, 'confine-test/nginx:latest', ['generated by a test']);
  const { value, comments } = parseYamlSubset(yaml);
  assert.deepEqual(value, {
    apiVersion: SPO_API_VERSION,
    kind: 'SeccompProfile',
    metadata: { name: 'confine-confine-test-nginx-latest' },
    spec: { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ action: 'SCMP_ACT_ALLOW', names }] },
  });
  assert.equal(SPO_API_VERSION, 'security-profiles-operator.x-k8s.io/v1beta1');
  assert.doesNotMatch(yaml, /defaultErrnoRet|archMap|includes|excludes/);
  // Each name is preceded by its justification.
  const lines = yaml.split('\n');
  for (const n of names) {
    const i = lines.indexOf(`        - ${n}`);
    assert.ok(i > 0, `${n} listed`);
    assert.ok(lines[i - 1].startsWith(`        # ${n}: `), `${n} has its comment: ${lines[i - 1]}`);
  }
  assert.ok(comments.some((c) => c.text === 'ptrace: added by review: debugging sidecar'));
  // Newlines in a note cannot break out of the comment.
  const tricky = kubernetesExport(policyEntries(report, { ptrace: { decision: 'allow', note: 'x\nkind: Pod' } }), 'n');
  assert.equal((parseYamlSubset(tricky).value as { kind: string }).kind, 'SeccompProfile');

  const empty = parseYamlSubset(kubernetesExport([], 'nothing')).value as { spec: { syscalls: unknown[] } };
  assert.deepEqual(empty.spec.syscalls, []);

  assert.equal(renderPolicy('docker', entries, 'confine-test/nginx:latest').filename, 'confine-test-nginx-latest.seccomp.json');
  assert.equal(renderPolicy('kubernetes', entries, '/usr/bin/true').mime, 'application/yaml');
});

test('argument rules reach every format: one MASKED_EQ rule per value on the low 32 bits, the disallowed bits of a flags argument; none for the runtime or past 32 bits', () => {
  const report = fakeReport();
  const socket = { ...entry('socket', [[NGINX, 'main'], [LIBC, 'socket']]), args: [{ index: 0, name: 'family', kind: 'value' as const, values: [1, 2, 10] }] };
  const unshare = { ...entry('unshare', [[NGINX, 'main'], [LIBC, 'unshare']]), args: [{ index: 0, name: 'unshare_flags', kind: 'flags' as const, values: [0x04000000, 0x0c000000] }] };
  const huge = { ...entry('personality', [[NGINX, 'main'], [LIBC, 'personality']]), args: [{ index: 0, name: 'personality', kind: 'value' as const, values: [2 ** 40] }] };
  const runtimeToo = { ...entry('prctl', [[NGINX, 'main'], [LIBC, 'prctl']], true), args: [{ index: 0, name: 'option', kind: 'value' as const, values: [15] }] };
  report.syscalls.push(socket, unshare, huge, runtimeToo);
  const entries = policyEntries(report);
  const docker = dockerExport(entries);
  const rules = (n: string): { args?: { index: number; value: number; valueTwo: number; op: string }[] }[] => docker.syscalls.filter((s) => s.names.includes(n));
  assert.deepEqual(
    rules('socket').map((r) => r.args),
    [1, 2, 10].map((v) => [{ index: 0, value: 0xffffffff, valueTwo: v, op: 'SCMP_CMP_MASKED_EQ' }]),
  );
  assert.deepEqual(rules('unshare').map((r) => r.args), [[{ index: 0, value: ~0x0c000000 >>> 0, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
  assert.deepEqual(rules('personality').map((r) => r.args), [undefined], 'a value past 32 bits gives no rule');
  assert.deepEqual(rules('prctl').map((r) => r.args), [undefined], 'the runtime makes prctl: any argument');
  assert.match(entries.find((e) => e.name === 'socket')!.reason, /arguments: family \(arg 0\) one of 0x1, 0x2, 0xa/);
  const oci = ociExport(entries);
  assert.equal(oci.syscalls.filter((s) => s.names.includes('socket')).length, 3);
  assert.ok(!oci.syscalls[0].names.includes('socket') && oci.syscalls[0].names.includes('read'));
  const yaml = parseYamlSubset(kubernetesExport(entries, 'nginx')).value as { spec: { syscalls: { names: string[]; args?: { index: number; value: number; valueTwo: number; op: string }[] }[] } };
  const k8s = yaml.spec.syscalls.filter((s) => s.names.includes('unshare'));
  assert.deepEqual(k8s.map((s) => s.args), [[{ index: 0, value: ~0x0c000000 >>> 0, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
});

test('a review that removes an argument value tightens the export; removing every value denies the syscall; a flags rule is not tightened this way', () => {
  const report = fakeReport();
  const socket = { ...entry('socket', [[NGINX, 'main'], [LIBC, 'socket']]), args: [{ index: 0, name: 'family', kind: 'value' as const, values: [1, 2, 10] }] };
  const prctl = { ...entry('prctl', [[NGINX, 'main'], [LIBC, 'prctl']]), args: [{ index: 0, name: 'option', kind: 'value' as const, values: [4, 8] }] };
  const unshare = { ...entry('unshare', [[NGINX, 'main'], [LIBC, 'unshare']]), args: [{ index: 0, name: 'unshare_flags', kind: 'flags' as const, values: [0x04000000, 0x0c000000] }] };
  report.syscalls.push(socket, prctl, unshare);
  const review = {
    [argumentReviewKey('socket', 0, 10)]: { decision: 'deny' as const, note: 'no IPv6 here' },
    [argumentReviewKey('prctl', 0, 4)]: { decision: 'deny' as const, note: '' },
    [argumentReviewKey('prctl', 0, 8)]: { decision: 'deny' as const, note: '' },
    // A flags rule allows bits: removing CLONE_NEWUTS alone would leave its bit to the other value.
    [argumentReviewKey('unshare', 0, 0x04000000)]: { decision: 'deny' as const, note: '' },
    // A removal that was restored (a note only) changes nothing.
    [argumentReviewKey('socket', 0, 1)]: { note: 'kept' },
  };
  const docker = JSON.parse(exportReport(report, { format: 'docker', title: 'nginx', review }).text) as { syscalls: { names: string[]; args?: { value: number; valueTwo: number }[]; comment?: string }[]; deniedByReview?: string[] };
  const socketRules = docker.syscalls.filter((s) => s.names.includes('socket'));
  assert.deepEqual(socketRules.map((r) => r.args?.[0].valueTwo), [1, 2]);
  assert.match(socketRules[0].comment!, /review removed 0xa\)/);
  assert.ok(!docker.syscalls.some((s) => s.names.includes('prctl')), 'prctl is allowed although every value was removed');
  assert.ok(docker.deniedByReview?.some((l) => /^prctl \(157\): denied by review: the review removed every allowed value of its option argument$/.test(l)), JSON.stringify(docker.deniedByReview));
  const unshareRules = docker.syscalls.filter((s) => s.names.includes('unshare'));
  assert.deepEqual(unshareRules.map((r) => r.args?.[0].value), [~0x0c000000 >>> 0]);
  assert.doesNotMatch(unshareRules[0].comment!, /review removed/);
  // An explicit allow of the syscall keeps it, with any arguments.
  const allowed = policyEntries(report, { ...review, prctl: { decision: 'allow', note: 'tests need it' } });
  assert.deepEqual(allowed.find((e) => e.name === 'prctl')?.args, undefined);
  assert.equal(parseArgumentReviewKey('arg:socket:0:17')?.value, 17);
  assert.equal(parseArgumentReviewKey('socket'), undefined);
  assert.equal(parseArgumentReviewKey('arg:socket:0:017'), undefined, 'one value, one key');
  assert.equal(parseArgumentReviewKey('arg:socket:0:4294967296'), undefined, 'past 32 bits');
});

test('a syscall its callers fall back from is answered with ENOSYS in every format, unless the runtime makes it or the review allows it', () => {
  const report = fakeReport();
  report.syscalls.push({ ...entry('clone3', [[NGINX, 'main'], [LIBC, '__clone3']]), enosys: "glibc's __clone_internal falls back to clone" });
  const entries = policyEntries(report);
  assert.deepEqual(entries.find((e) => e.name === 'clone3')?.errno, 38);
  const docker = dockerExport(entries);
  assert.deepEqual(docker.syscalls.filter((r) => r.names.includes('clone3')).map((r) => [r.action, r.errnoRet]), [['SCMP_ACT_ERRNO', 38]]);
  assert.ok(!readDockerProfile(JSON.stringify(docker)).names.has('clone3'), 'an ENOSYS answer does not allow it');
  const oci = ociExport(entries);
  assert.deepEqual(oci.syscalls.find((r) => r.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  assert.ok(!oci.syscalls[0].names.includes('clone3'));
  const k8s = parseYamlSubset(kubernetesExport(entries, 'nginx')).value as { spec: { syscalls: { action: string; names: string[]; errnoRet?: number }[] } };
  assert.deepEqual(k8s.spec.syscalls.filter((r) => r.names.includes('clone3')).map((r) => [r.action, r.errnoRet]), [['SCMP_ACT_ERRNO', 38]]);
  assert.match(exportReport(report, { format: 'kubernetes', title: 't' }).text, /5 syscalls allowed on x86-64, 1 answered with ENOSYS/);
  // The runtime needs it, or the reviewer says so: allowed.
  const made = fakeReport();
  made.syscalls.push({ ...entry('clone3', [], true), enosys: 'x' });
  assert.equal(policyEntries(made).find((e) => e.name === 'clone3')?.errno, undefined);
  assert.equal(policyEntries(report, { clone3: { decision: 'allow', note: '' } }).find((e) => e.name === 'clone3')?.errno, undefined);
});
