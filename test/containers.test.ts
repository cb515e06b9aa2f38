// Issue 3 acceptance on the real engine: analyse the test images (phase 1 + static analysis + the
// runtime base set), run them under the resulting profile with a real workload, and check `verify`
// both passes and fails when it should. Every test here reads kernel audit records, so they share one
// file (one process) and run in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';
import { TEST_IMAGES, confine, dockerCli, engineUnavailable, waitFor } from './support/engine.js';

interface ImageReport {
  syscalls: { name: string; nr: number; programs: string[]; path: unknown[]; runtime?: boolean }[];
  unresolved: unknown[];
  programs: { path: string; error?: string; execs?: number; syscalls: number; interpreterOf?: string[] }[];
  runtime?: { runtime: string; version: string; settings?: string; syscalls: { nr: number; name: string }[] };
}

const work = mkdtempSync(join(tmpdir(), 'confine-containers-'));
const cache = join(work, 'cache');
const NGINX_LOAD = join(REPO_ROOT, 'test', 'workloads', 'nginx.sh');
const REDIS_LOAD = join(REPO_ROOT, 'test', 'workloads', 'redis.sh');
const POSTGRES_LOAD = join(REPO_ROOT, 'test', 'workloads', 'postgres.sh');
const GO_LOAD = join(REPO_ROOT, 'test', 'workloads', 'go.sh');
const HTTPD_LOAD = join(REPO_ROOT, 'test', 'workloads', 'httpd.sh');
let skip: string | undefined;

before(async () => {
  skip = await engineUnavailable(Object.values(TEST_IMAGES));
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs the image detached under `profile` with host networking; returns the container id. */
function runUnder(image: string, profile: string): string {
  const r = dockerCli(['run', '-d', '--rm', '--network', 'host', '--security-opt', `seccomp=${profile}`, image]);
  assert.equal(r.code, 0, `docker run under ${profile} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function spawnSyncSh(script: string, ...args: string[]): { code: number | null; out: string } {
  const r = spawnSync('sh', [script, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

async function analyseImage(image: string, name: string): Promise<{ report: ImageReport; profile: string }> {
  const json = join(work, `${name}.json`);
  const profile = join(work, `${name}.profile.json`);
  const r = await confine(['analyze', image, '--seconds', '5', '--network', 'host', '--json', json, '--profile', profile, '--cache-dir', cache]);
  assert.equal(r.code, 0, `confine analyze ${image} failed:\n${r.stdout}\n${r.stderr}`);
  return { report: JSON.parse(readFileSync(json, 'utf8')) as ImageReport, profile };
}

test('nginx image: analyse, then serve 1,000 requests under the profile and verify with 0 would-be denials', async (t) => {
  if (skip) return t.skip(skip);
  const { report, profile } = await analyseImage(TEST_IMAGES.nginx, 'nginx');
  assert.ok(report.programs.some((p) => p.path === '/usr/sbin/nginx' && !p.error), `phase 1 did not find nginx: ${JSON.stringify(report.programs)}`);
  assert.ok(report.runtime && report.runtime.syscalls.length > 0, 'the report has no runtime base set');
  const names = new Set(report.syscalls.map((s) => s.name));
  for (const n of ['accept4', 'epoll_wait', 'sendfile', 'setuid', 'execve']) assert.ok(names.has(n), `${n} missing from the nginx policy`);
  t.diagnostic(`nginx image: ${report.syscalls.length} syscalls allowed, ${report.runtime.syscalls.length} from runtime ${report.runtime.runtime} ${report.runtime.version}`);

  const id = runUnder(TEST_IMAGES.nginx, profile);
  try {
    await waitFor('nginx on 127.0.0.1:18080', () => spawnSync('curl', ['-sf', '-o', '/dev/null', 'http://127.0.0.1:18080/']).status === 0);
    const load = spawnSyncSh(NGINX_LOAD);
    assert.equal(load.code, 0, `workload under the profile failed:\n${load.out.slice(-2000)}`);
    assert.match(load.out, /1000 requests, 0 errors/);
  } finally {
    dockerCli(['rm', '-f', id]);
  }

  const v = await confine(['verify', TEST_IMAGES.nginx, '--profile', profile, '--network', 'host', '--seconds', '3', '--', 'sh', NGINX_LOAD]);
  assert.equal(v.code, 0, `verify reported problems:\n${v.stdout}\n${v.stderr}`);
  assert.match(v.stdout, /no would-be denials/);
});

test('verify fails when a syscall the analysis proved necessary is removed (accept4)', async (t) => {
  if (skip) return t.skip(skip);
  const full = JSON.parse(readFileSync(join(work, 'nginx.profile.json'), 'utf8')) as { syscalls: { names: string[] }[] };
  for (const rule of full.syscalls) rule.names = rule.names.filter((n) => n !== 'accept4');
  const cut = join(work, 'nginx-no-accept4.json');
  writeFileSync(cut, JSON.stringify(full));
  const v = await confine(['verify', TEST_IMAGES.nginx, '--profile', cut, '--network', 'host', '--seconds', '3', '--', 'sh', NGINX_LOAD]);
  assert.equal(v.code, 4, `verify should exit 4:\n${v.stdout}\n${v.stderr}`);
  assert.match(v.stdout, /accept4 \(288\) by \/usr\/sbin\/nginx/);
});

test('redis image: analyse, then redis-benchmark, BGSAVE and CONFIG REWRITE under the profile; verify agrees', async (t) => {
  if (skip) return t.skip(skip);
  const { report, profile } = await analyseImage(TEST_IMAGES.redis, 'redis');
  assert.ok(report.programs.some((p) => p.path === '/usr/bin/redis-server' && !p.error), `phase 1 did not find redis-server: ${JSON.stringify(report.programs)}`);
  t.diagnostic(`redis image: ${report.syscalls.length} syscalls allowed`);
  const id = runUnder(TEST_IMAGES.redis, profile);
  try {
    await waitFor('redis on 127.0.0.1:16379', () => spawnSync('redis-cli', ['-p', '16379', 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG');
    const load = spawnSyncSh(REDIS_LOAD);
    assert.equal(load.code, 0, `workload under the profile failed:\n${load.out.slice(-2000)}`);
  } finally {
    dockerCli(['rm', '-f', id]);
  }
  const v = await confine(['verify', TEST_IMAGES.redis, '--profile', profile, '--network', 'host', '--seconds', '3', '--', 'sh', REDIS_LOAD]);
  assert.equal(v.code, 0, `verify reported problems:\n${v.stdout}\n${v.stderr}`);
});

// Issue 9 item 17: an image whose USER is not root. runc installs the filter before it switches to
// that user (setgroups, setuid, capset, the fchown of the stdio fds), so the base set is measured
// under the image's own user; records of runc's init are the runtime's, not the program's.
test('postgres image (USER postgres): the runtime base set is measured as that user, the workload runs and verify reports 0 would-be denials', async (t) => {
  if (skip) return t.skip(skip);
  const { report, profile } = await analyseImage(TEST_IMAGES.postgres, 'postgres');
  assert.ok(report.programs.some((p) => p.path === '/usr/lib/postgresql/15/bin/postgres' && !p.error), `phase 1 did not find postgres: ${JSON.stringify(report.programs)}`);
  const rt = report.runtime!;
  assert.match(rt.settings ?? '', /^uid [1-9]\d* gid [1-9]/, `measured as root: ${rt.settings}`);
  const base = new Set(rt.syscalls.map((s) => s.name));
  for (const n of ['fchown', 'setgroups', 'setuid', 'setgid', 'capset']) assert.ok(base.has(n), `${n} missing from the runtime base set under ${rt.settings}: ${[...base].join(' ')}`);
  t.diagnostic(`postgres image: ${report.syscalls.length} syscalls allowed, ${rt.syscalls.length} from the runtime measured as ${rt.settings}`);
  const id = runUnder(TEST_IMAGES.postgres, profile);
  try {
    await waitFor('postgres on 127.0.0.1:15432', () => spawnSync('psql', ['-X', '-h', '127.0.0.1', '-p', '15432', '-U', 'postgres', '-Atc', 'select 1'], { encoding: 'utf8' }).stdout.trim() === '1');
    const load = spawnSyncSh(POSTGRES_LOAD);
    assert.equal(load.code, 0, `workload under the profile failed:\n${load.out.slice(-2000)}`);
  } finally {
    dockerCli(['rm', '-f', id]);
  }
  const v = await confine(['verify', TEST_IMAGES.postgres, '--profile', profile, '--network', 'host', '--seconds', '3', '--', 'sh', POSTGRES_LOAD]);
  assert.equal(v.code, 0, `verify reported problems:\n${v.stdout}\n${v.stderr}`);
  assert.match(v.stdout, /no would-be denials/);

  // Without fchown the runtime's own init is what breaks: verify says so rather than blaming postgres.
  const full = JSON.parse(readFileSync(profile, 'utf8')) as { syscalls: { names: string[] }[] };
  for (const rule of full.syscalls) rule.names = rule.names.filter((n) => n !== 'fchown');
  const cut = join(work, 'postgres-no-fchown.json');
  writeFileSync(cut, JSON.stringify(full));
  const w = await confine(['verify', TEST_IMAGES.postgres, '--profile', cut, '--network', 'host', '--seconds', '2']);
  assert.equal(w.code, 4, `verify should exit 4:\n${w.stdout}\n${w.stderr}`);
  assert.match(w.stdout, /fchown \(93\) by runtime \(runc, runc:\[2:INIT\]\)/);
});

test('scripted image: every short-lived program appears in phase 1, 10 runs out of 10', async (t) => {
  if (skip) return t.skip(skip);
  const expected = readFileSync(join(REPO_ROOT, 'e2e', 'images', 'scripted.expected'), 'utf8').split('\n').filter((l) => l.startsWith('/'));
  const { default: Docker } = await import('dockerode');
  const { recordContainer } = await import('../analysis/profile/index.js');
  const docker = new Docker();
  for (let run = 1; run <= 10; run++) {
    const r = await recordContainer({ docker, image: TEST_IMAGES.scripted, seconds: 1.5, network: 'host' });
    const seen = new Set(r.programs.map((p) => p.path));
    const missed = expected.filter((p) => !seen.has(p));
    assert.deepEqual(missed, [], `run ${run}: phase 1 missed ${missed.join(', ')} (saw ${[...seen].join(', ')})`);
  }
});


test('a script named with --program is analysed through its #! interpreter; a named program that is not in the image is a one-line error', async (t) => {
  if (skip) return t.skip(skip);
  const json = join(work, 'script.json');
  const r = await confine(['analyze', TEST_IMAGES.scripted, '--program', '/entrypoint.sh', '--json', json, '--cache-dir', cache]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8')) as ImageReport;
  const sh = report.programs.find((p) => p.path === '/bin/sh');
  assert.ok(sh && sh.syscalls > 0 && sh.interpreterOf?.includes('/entrypoint.sh'), JSON.stringify(report.programs));
  const missing = await confine(['analyze', TEST_IMAGES.scripted, '--program', '/no/such/program', '--cache-dir', cache]);
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /^confine: \/no\/such\/program: no such file in /);
  const dir = await confine(['analyze', TEST_IMAGES.scripted, '--program', '/etc', '--cache-dir', cache]);
  assert.equal(dir.code, 2, dir.stdout + dir.stderr);
  assert.match(dir.stderr, /^confine: \/etc: not a program: a directory/);
});

// Issue 8's images: a Go server, static binaries (busybox's shell re-execs itself through
// /proc/self/exe), and Alpine's layout (musl's libc as the interpreter, lua loading a C module).
const MORE: { name: string; image: string; url: string; programs: string[]; load: string[]; allow: string[] }[] = [
  { name: 'go', image: TEST_IMAGES.go, url: 'http://127.0.0.1:18082/hello', programs: ['/usr/local/bin/confine-go-server', '/bin/echo'], load: [GO_LOAD], allow: ['listen', 'accept4', 'mkdirat', 'readlinkat'] },
  {
    name: 'static',
    image: TEST_IMAGES.static,
    url: 'http://127.0.0.1:18083/',
    programs: ['/sbin/tini', '/entrypoint.sh', '/bin/sh', '/usr/local/bin/dash'],
    load: [HTTPD_LOAD, 'http://127.0.0.1:18083', 'static, kernel'],
    allow: ['bind', 'listen', 'accept', 'chdir', 'umask'],
  },
  { name: 'alpine', image: TEST_IMAGES.alpine, url: 'http://127.0.0.1:18084/', programs: ['/entrypoint.sh', '/bin/sh', '/usr/bin/lua'], load: [HTTPD_LOAD, 'http://127.0.0.1:18084', 'lua Lua 5.4 on'], allow: ['arch_prctl', 'set_tid_address', 'uname'] },
];

for (const c of MORE) {
  test(`${c.name} image: phase 1 finds its programs, the workload runs under the profile, verify reports 0 would-be denials`, async (t) => {
    if (skip) return t.skip(skip);
    const { report, profile } = await analyseImage(c.image, c.name);
    const found = new Set(report.programs.filter((p) => !p.error).map((p) => p.path));
    for (const p of c.programs) assert.ok(found.has(p), `phase 1 did not find ${p}: ${JSON.stringify(report.programs)}`);
    const names = new Set(report.syscalls.map((s) => s.name));
    for (const n of c.allow) assert.ok(names.has(n), `${n} missing from the ${c.name} policy`);
    t.diagnostic(`${c.name} image: ${report.syscalls.length} syscalls allowed; programs ${[...found].join(', ')}`);
    const id = runUnder(c.image, profile);
    try {
      await waitFor(`${c.name} on ${c.url}`, () => spawnSync('curl', ['-sf', '-o', '/dev/null', c.url]).status === 0);
      const load = spawnSyncSh(c.load[0], ...c.load.slice(1));
      assert.equal(load.code, 0, `workload under the profile failed:\n${load.out.slice(-2000)}`);
    } finally {
      dockerCli(['rm', '-f', id]);
    }
    const v = await confine(['verify', c.image, '--profile', profile, '--network', 'host', '--seconds', '3', '--', 'sh', ...c.load]);
    assert.equal(v.code, 0, `verify reported problems:\n${v.stdout}\n${v.stderr}`);
    assert.match(v.stdout, /no would-be denials/);
  });
}
