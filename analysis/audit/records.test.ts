// Seccomp audit records as the kernel log and auditd's log print them (lines captured on real hosts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parseSeccompRecord, SECCOMP_RET_LOG } from './records.js';
import { liftPrintkRatelimit } from './ratelimit.js';

test('the kernel log form (type=1326 audit(...))', () => {
  const r = parseSeccompRecord('audit: type=1326 audit(1795969991.253:2): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=13229 comm="runc:[2:INIT]" exe="/" sig=0 arch=c000003e syscall=257 compat=0 ip=0x40828e code=0x7ffc0000');
  assert.deepEqual(r, { serial: 2, time: 1795969991253, pid: 13229, comm: 'runc:[2:INIT]', exe: '/', arch: 'c000003e', syscall: 257, code: SECCOMP_RET_LOG });
});

test("auditd's raw and enriched forms (type=SECCOMP msg=audit(...), fields after 0x1d)", () => {
  const raw = 'type=SECCOMP msg=audit(1700000000.123:456): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined pid=4242 comm="nginx" exe="/usr/sbin/nginx" sig=0 arch=c000003e syscall=288 compat=0 ip=0x7f1 code=0x7ffc0000';
  const r = parseSeccompRecord(raw);
  assert.equal(r?.syscall, 288);
  assert.equal(r?.comm, 'nginx');
  assert.equal(r?.exe, '/usr/sbin/nginx');
  const enriched = `${raw}\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=accept4 SIG=0`;
  assert.deepEqual(parseSeccompRecord(enriched), r);
});

test('hex-encoded names, other record types and noise', () => {
  // auditd hex-encodes a comm with spaces or odd bytes.
  const r = parseSeccompRecord('type=1326 audit(1.2:3): pid=7 comm=6D792070726F67 exe="/x" arch=c000003e syscall=0 code=0x7ffc0000');
  assert.equal(r?.comm, 'my prog');
  assert.equal(parseSeccompRecord('type=1300 audit(1.2:3): arch=c000003e syscall=59 success=yes'), undefined);
  assert.equal(parseSeccompRecord('random text'), undefined);
});

test('the printk rate-limit lease: lifted while held, the lease file gone after release', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to write /proc/sys/kernel/printk_ratelimit');
  const lease = liftPrintkRatelimit();
  assert.equal(lease.problem, undefined);
  assert.equal(readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8').trim(), '0');
  const mine = readdirSync('/run/confine/printk-ratelimit').filter((f) => f.startsWith(`${process.pid}-`));
  assert.equal(mine.length, 1);
  lease.release();
  assert.ok(!existsSync(`/run/confine/printk-ratelimit/${mine[0]}`));
  // With nobody else holding a lease, the original value is back.
  const others = readdirSync('/run/confine/printk-ratelimit').filter((f) => f !== 'saved');
  if (others.length === 0) assert.notEqual(readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8').trim(), '0');
});
