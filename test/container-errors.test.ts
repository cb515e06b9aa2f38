// Issue 3, bad input: each case gives one clear line (exit 2 where fatal) and writes nothing outside
// the cache or the chosen output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TEST_IMAGES, confine, engineUnavailable } from './support/engine.js';
import { configBlob, digest, tarBytes } from '../analysis/image/fixtures.js';
import { probeElf } from '../analysis/policy/probe-image.js';

const work = mkdtempSync(join(tmpdir(), 'confine-bad-input-'));
const cache = join(work, 'cache');
let skip: string | undefined;

before(async () => {
  skip = await engineUnavailable([TEST_IMAGES.nginx]);
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A fatal bad input: exit 2, exactly one line on stderr naming `what`, nothing on stdout. */
function assertOneLineError(r: { code: number | null; stdout: string; stderr: string }, what: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `more than one line:\n${r.stderr}`);
  assert.match(lines[0], what);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace was printed');
}

test('an unknown image: one line naming it', async (t) => {
  if (skip) return t.skip(skip);
  const r = await confine(['analyze', 'confine-test/no-such-image:1', '--seconds', '1', '--cache-dir', cache]);
  assertOneLineError(r, /confine-test\/no-such-image:1: no such image in the Docker engine/);
});

test('an unreachable engine: the message names DOCKER_HOST', async () => {
  const r = await confine(['analyze', 'confine-test/nginx:latest', '--seconds', '1', '--cache-dir', cache], { ...process.env, DOCKER_HOST: 'tcp://127.0.0.1:1' });
  assertOneLineError(r, /Docker engine: cannot connect to tcp:\/\/127\.0\.0\.1:1 .*DOCKER_HOST/);
  const profile = join(work, 'allow-nothing.json');
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] }));
  const v = await confine(['verify', 'confine-test/nginx:latest', '--profile', profile, '--', 'true'], { ...process.env, DOCKER_HOST: 'tcp://127.0.0.1:1' });
  assertOneLineError(v, /Docker engine: cannot connect to tcp:\/\/127\.0\.0\.1:1 .*DOCKER_HOST/);
});

test('a corrupt tarball: one line naming the file', async () => {
  const bad = join(work, 'corrupt.tar');
  writeFileSync(bad, randomBytes(10_000));
  const r = await confine(['analyze', bad, '--program', '/bin/true', '--cache-dir', cache]);
  assertOneLineError(r, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
});

test('a container that exits at once: a warning, and what ran is still analysed', async (t) => {
  if (skip) return t.skip(skip);
  const json = join(work, 'exit.json');
  const r = await confine(['analyze', TEST_IMAGES.nginx, '--cmd', '/usr/bin/true', '--seconds', '5', '--json', json, '--cache-dir', cache]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /warning: phase 1: the container exited by itself after [\d.]+ s with code 0/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { programs: { path: string }[] };
  assert.ok(report.programs.some((p) => p.path === '/usr/bin/true'), JSON.stringify(report.programs));
});

test('crafted tarballs: ../ entries, absolute symlinks and a hard link to /etc/passwd are refused or neutralised, reported, and nothing lands outside', async () => {
  const canary = join(work, 'canary');
  mkdirSync(canary);
  const passwdLinks = statSync('/etc/passwd').nlink;
  const layer = await tarBytes([
    { name: 'probe', body: probeElf(), mode: 0o755 },
    { name: `../../../../../../..${canary}/escaped`, body: 'x' },
    { name: 'evil', type: 'symlink', linkname: canary },
    { name: 'evil/through-link', body: 'x' },
    { name: 'passwd', type: 'link', linkname: '/etc/passwd' },
  ]);
  const config = configBlob([layer]);
  const files = new Map<string, Buffer>([
    [`${digest(config).slice(7)}.json`, config],
    ['layer.tar', layer],
    ['manifest.json', Buffer.from(JSON.stringify([{ Config: `${digest(config).slice(7)}.json`, RepoTags: ['evil:1'], Layers: ['layer.tar'] }]))],
  ]);
  const tarball = join(work, 'evil.tar');
  writeFileSync(tarball, await tarBytes([...files].map(([name, body]) => ({ name, body }))));
  const r = await confine(['analyze', tarball, '--program', '/probe', '--cache-dir', cache]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const out = r.stdout + r.stderr;
  assert.match(out, /warning: image: .*escaped.*refused/);
  assert.match(out, /warning: image: .*evil\/through-link.*refused/);
  assert.match(out, /warning: image: .*passwd.*/);
  // The image still opens: its one program is analysed (pause(), and the vDSO fallbacks every process has).
  assert.match(r.stdout, /\/probe: \d+ syscalls, 1 objects/);
  assert.deepEqual(readdirSync(canary), [], 'something was written outside the rootfs');
  assert.equal(statSync('/etc/passwd').nlink, passwdLinks, '/etc/passwd gained a hard link');
});

test('Ctrl-C during phase 1: exit 130 and the phase-1 container is gone', async (t) => {
  if (skip) return t.skip(skip);
  const { spawn } = await import('node:child_process');
  const { default: Docker } = await import('dockerode');
  const { CONFINE_BIN } = await import('./support/paths.js');
  const docker = new Docker();
  const child = spawn(process.execPath, [CONFINE_BIN, 'analyze', TEST_IMAGES.nginx, '--seconds', '60', '--cache-dir', cache], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const mine = async (): Promise<number> => (await docker.listContainers({ all: true, filters: { label: ['confine=phase1', `confine.pid=${child.pid}`] } })).length;
  // Wait until phase 1 runs its container, then interrupt as a terminal would.
  for (let i = 0; i < 600 && (await mine()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok((await mine()) > 0, `phase 1 never started:\n${stderr}`);
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted/);
  assert.equal(await mine(), 0, 'the phase-1 container was left behind');
});

test('Ctrl-C during the static analysis of `analyze IMAGE --program`: exit 130, no report written, the workers stopped', async (t) => {
  if (skip) return t.skip(skip);
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { CONFINE_BIN } = await import('./support/paths.js');
  const { cacheLayout } = await import('../analysis/cache/layout.js');
  // A cache of its own: every object is analysed afresh, so the interrupt lands among them.
  const own = join(work, 'ctrl-c-cache');
  const out = join(work, 'ctrl-c-report.json');
  const child = spawn(process.execPath, [CONFINE_BIN, 'analyze', TEST_IMAGES.nginx, '--program', '/usr/sbin/nginx', '--json', out, '--cache-dir', own], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
  const facts = cacheLayout(own).facts;
  const analysed = (): number => (existsSync(facts) ? readdirSync(facts).filter((f) => f.endsWith('.json')).length : 0);
  // The first object's facts are stored: the static analysis runs (nginx links several more).
  for (let i = 0; i < 1200 && analysed() === 0 && exitCode === undefined; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(exitCode, undefined, `the analysis ended before it could be interrupted:\n${stderr}`);
  assert.ok(analysed() > 0, `no object was analysed:\n${stderr}`);
  const atSigint = analysed();
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted/);
  assert.equal(existsSync(out), false, 'an interrupted analysis wrote a report');
  // It stopped among the objects, not after them: at most the ones already in a worker were finished.
  const workers = Math.max(1, Math.min(4, availableParallelism()));
  const atExit = analysed();
  const full = await confine(['analyze', TEST_IMAGES.nginx, '--program', '/usr/sbin/nginx', '--json', out, '--cache-dir', own]);
  assert.equal(full.code, 0, full.stderr);
  t.diagnostic(`objects analysed: ${atSigint} at the interrupt, ${atExit} at exit, ${analysed()} in the whole analysis (${workers} workers)`);
  assert.ok(atExit <= atSigint + workers && atExit < analysed(), `the interrupt waited for the queued objects: ${atSigint} analysed at the interrupt, ${atExit} at exit, ${analysed()} in all`);
});
