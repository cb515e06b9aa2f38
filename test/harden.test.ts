// Issue 12 acceptance on the real engine: `confine harden` builds a hardened image of nginx, redis
// and the scripted image; each workload runs under it (the container-wide profile plus each
// hardened program's own filter, stacked), `verify` sees no would-be denial, and `docker exec` of a
// hardened program still works. A filter the review tightened is named as the one that would deny.
// Bad input is refused in one line with exit 2, and leaves no image or container behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';
import { TEST_IMAGES, confine, dockerCli, engineUnavailable, lockEngineTests, waitFor, type CliResult } from './support/engine.js';

const work = mkdtempSync(join(tmpdir(), 'confine-harden-'));
const cache = join(work, 'cache');
const LOAD = (name: string): string => join(REPO_ROOT, 'test', 'workloads', name);
const made: string[] = [];
let skip: string | undefined;

let unlock: (() => void) | undefined;

before(async () => {
  skip = await engineUnavailable([TEST_IMAGES.nginx, TEST_IMAGES.redis, TEST_IMAGES.scripted]);
  if (!skip) unlock = await lockEngineTests();
});

after(() => {
  unlock?.();
  for (const tag of made) dockerCli(['rmi', '-f', tag]);
  rmSync(work, { recursive: true, force: true });
});

interface HardenJson {
  imageId: string;
  tag: string;
  containerWideBefore: number;
  launcherSyscalls: string[];
  programs: { program: string; file: string; allowed: number; policy: { own: number; execs: boolean; covers: string[]; addedForLauncher: string[] } }[];
}

async function hardenImage(image: string, name: string, extra: string[] = []): Promise<{ tag: string; profile: string; result: HardenJson; out: string }> {
  const tag = `confine-test/${name}-hardened:test`;
  const profile = join(work, `${name}.profile.json`);
  const json = join(work, `${name}.harden.json`);
  const r = await confine(['harden', image, '--tag', tag, '--profile', profile, '--json', json, '--network', 'host', '--seconds', '5', '--cache-dir', cache, ...extra]);
  made.push(tag);
  assert.equal(r.code, 0, `confine harden ${image} failed:\n${r.stdout}\n${r.stderr}`);
  return { tag, profile, result: JSON.parse(readFileSync(json, 'utf8')) as HardenJson, out: r.stdout };
}

/**
 * verify, once more when audit records were lost (another test file may be reading them too). The
 * workload starts when the container does; it first waits (up to 30 s) until `up` answers, as the
 * server behind the launcher may take a moment longer to listen on a loaded machine.
 */
async function verifyHardened(tag: string, profile: string, up: string[], load: string[]): Promise<CliResult> {
  const wait = `i=0; until ${up.map((a) => `'${a}'`).join(' ')} >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 300 ] || exit 9; sleep 0.1; done; exec sh "$@"`;
  const args = ['verify', tag, '--profile', profile, '--network', 'host', '--seconds', '3', '--', 'sh', '-c', wait, 'workload', ...load];
  let v = await confine(args);
  if (v.code === 6) v = await confine(args);
  return v;
}

/** The container's main process on the host: how many seccomp filters it runs under. */
function filtersOfMain(id: string): number {
  const pid = dockerCli(['inspect', '-f', '{{.State.Pid}}', id]).stdout.trim();
  const m = /^Seccomp_filters:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

const CASES = [
  { name: 'nginx', image: TEST_IMAGES.nginx, program: '/usr/sbin/nginx', up: ['curl', '-sf', '-o', '/dev/null', 'http://127.0.0.1:18080/'], load: [LOAD('nginx.sh')], exec: ['nginx', '-t'], execSays: /test is successful/ },
  { name: 'redis', image: TEST_IMAGES.redis, program: '/usr/bin/redis-server', up: ['redis-cli', '-p', '16379', 'ping'], load: [LOAD('redis.sh')], exec: ['redis-server', '--version'], execSays: /Redis server v=/ },
  { name: 'scripted', image: TEST_IMAGES.scripted, program: '/usr/bin/busybox', up: ['curl', '-sf', '-o', '/dev/null', 'http://127.0.0.1:18081/'], load: [LOAD('httpd.sh'), 'http://127.0.0.1:18081', 'served by busybox httpd'], exec: ['busybox', 'echo', 'exec-ok'], execSays: /exec-ok/ },
];

for (const c of CASES) {
  test(`${c.name}: confine harden builds the image; the workload runs under both filters, verify sees 0 would-be denials, docker exec works`, { timeout: 900_000 }, async (t) => {
    if (skip) return t.skip(skip);
    const { tag, profile, result } = await hardenImage(c.image, c.name);
    // Found as phase 1 saw it exec'd (the file may be a symlink's target: Debian's redis-server is redis-check-rdb).
    const p = result.programs.find((x) => x.program === c.program);
    assert.ok(p, `${c.program} was not hardened by default: ${JSON.stringify(result.programs.map((x) => x.program))}`);
    assert.ok(p.allowed <= result.containerWideBefore + p.policy.addedForLauncher.length, 'a program filter allows more than the container-wide policy and the launcher');
    t.diagnostic(`${c.name}: container-wide ${result.containerWideBefore}; ${result.programs.map((x) => `${x.file} ${x.allowed} (own code ${x.policy.own}${x.policy.execs ? `, can exec: covers ${x.policy.covers.length} program(s)` : ''})`).join('; ')}; launcher adds ${result.launcherSyscalls.join(' ') || 'nothing'} container-wide`);
    const label = JSON.parse(dockerCli(['image', 'inspect', '-f', '{{json .Config.Labels}}', tag]).stdout) as Record<string, string>;
    assert.ok(label['org.confine.hardened'], 'the hardened image has no manifest label');
    // The image's own configuration is unchanged: the same command runs, through the launcher.
    const cfg = (ref: string): string => dockerCli(['image', 'inspect', '-f', '{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{json .Config.Env}}', ref]).stdout;
    assert.equal(cfg(tag), cfg(c.image));

    const run = dockerCli(['run', '-d', '--rm', '--network', 'host', '--security-opt', `seccomp=${profile}`, tag]);
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    try {
      await waitFor(`${c.name} up`, () => spawnSync(c.up[0], c.up.slice(1), { encoding: 'utf8' }).status === 0, 30_000);
      const load = spawnSync('sh', c.load, { encoding: 'utf8', timeout: 300_000 });
      assert.equal(load.status, 0, `the workload failed under the hardened image:\n${load.stdout}\n${load.stderr}`);
      assert.equal(filtersOfMain(id), 2, 'the server does not run under two stacked filters (the container-wide one and its own)');
      const ex = dockerCli(['exec', id, ...c.exec]);
      assert.equal(ex.code, 0, `docker exec ${c.exec.join(' ')} failed: ${ex.stderr}`);
      assert.match(ex.stdout + ex.stderr, c.execSays);
    } finally {
      dockerCli(['rm', '-f', id]);
    }
    const v = await verifyHardened(tag, profile, c.up, c.load);
    assert.equal(v.code, 0, `verify on the hardened image:\n${v.stdout}\n${v.stderr}`);
    assert.match(v.stdout, /no would-be denials/);
  });
}

test("nested: a hardened shell execs a hardened server; the server's launcher runs under the shell's filter, and the server under three", { timeout: 900_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const { tag, profile, result } = await hardenImage(TEST_IMAGES.scripted, 'scripted-nested', ['--program', '/bin/sh', '--program', '/usr/bin/busybox']);
  assert.deepEqual(result.programs.map((p) => p.program).sort(), ['/bin/sh', '/usr/bin/busybox']);
  const run = dockerCli(['run', '-d', '--rm', '--network', 'host', '--security-opt', `seccomp=${profile}`, tag]);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  try {
    await waitFor('busybox httpd up', () => spawnSync('curl', ['-sf', '-o', '/dev/null', 'http://127.0.0.1:18081/'], { encoding: 'utf8' }).status === 0, 30_000);
    const load = spawnSync('sh', [LOAD('httpd.sh'), 'http://127.0.0.1:18081', 'served by busybox httpd'], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(load.status, 0, `the workload failed:\n${load.stdout}\n${load.stderr}\n${dockerCli(['logs', id]).stderr}`);
    assert.equal(filtersOfMain(id), 3, "busybox does not run under the container-wide filter, the shell's and its own");
  } finally {
    dockerCli(['rm', '-f', id]);
  }
});

test('verify names the filter that would deny: a program filter tightened by the review, under the untightened container-wide profile', { timeout: 900_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const plain = join(work, 'nginx.profile.json');
  assert.ok(readFileSync(plain, 'utf8').includes('"accept4"'), 'run after the nginx case: its container-wide profile allows accept4');
  const ws = join(work, 'workspace.json');
  writeFileSync(ws, JSON.stringify({ version: 2, reviews: { 'image confine-test/nginx': { accept4: { decision: 'deny', note: 'test: the program filter only', updatedAt: '' } } } }));
  const { tag } = await hardenImage(TEST_IMAGES.nginx, 'nginx-tight', ['--review', ws]);
  const v = await verifyHardened(tag, plain, ['curl', '-sf', '-o', '/dev/null', 'http://127.0.0.1:18080/'], [LOAD('nginx.sh')]);
  assert.equal(v.code, 4, `verify should report would-be denials:\n${v.stdout}\n${v.stderr}`);
  assert.match(v.stdout, /accept4 \(288\) by \/usr\/sbin\/nginx: \d+ time\(s\); denied by \/usr\/sbin\/nginx's own filter$/m);
  assert.doesNotMatch(v.stdout, /container-wide/, 'the container-wide profile allows accept4: it denies nothing here');
});

test('bad input: no entrypoint, a script, a missing path, a path in a volume, an existing tag, an unwritable profile: one line, exit 2, nothing left behind', { timeout: 900_000 }, async (t) => {
  if (skip) return t.skip(skip);
  // An image without entrypoint or command, and one whose program lies in a volume.
  const bare = 'confine-test/harden-bare:test';
  const vol = 'confine-test/harden-volume:test';
  made.push(bare, vol);
  const tarDir = join(work, 'bare');
  spawnSync('mkdir', ['-p', join(tarDir, 'opt', 'vol')]);
  spawnSync('cp', ['/usr/bin/busybox', join(tarDir, 'bin-busybox')]);
  spawnSync('cp', ['/usr/bin/busybox', join(tarDir, 'opt', 'vol', 'busybox')]);
  const tarFile = join(work, 'bare.tar');
  assert.equal(spawnSync('tar', ['-C', tarDir, '-cf', tarFile, '.']).status, 0);
  assert.equal(dockerCli(['import', tarFile, bare]).code, 0);
  assert.equal(dockerCli(['import', '--change', 'VOLUME /opt/vol', '--change', 'CMD ["/opt/vol/busybox", "sleep", "30"]', tarFile, vol]).code, 0);

  // What a failed harden could leave: a container of the image it works on, an untagged image, a
  // volume. (Other test files run containers of their own meanwhile: only these are compared.)
  const sorted = (out: string): string => [...new Set(out.split('\n').filter(Boolean))].sort().join(' ');
  const state = (image: string): string =>
    [dockerCli(['ps', '-aq', '--filter', `ancestor=${image}`]).stdout, dockerCli(['images', '-q', '--filter', 'dangling=true']).stdout, dockerCli(['volume', 'ls', '-q']).stdout].map(sorted).join(' | ');
  const cases: [string[], RegExp][] = [
    [[bare], /harden-bare:test: the image has no entrypoint or command/],
    [[TEST_IMAGES.scripted, '--program', '/entrypoint.sh'], /\/entrypoint\.sh: a script \(run by \/bin\/sh\)/],
    [[TEST_IMAGES.scripted, '--program', '/no/such/program'], /\/no\/such\/program: no such file/],
    [[vol, '--program', '/opt/vol/busybox'], /\/opt\/vol\/busybox: lies in the image's volume \/opt\/vol/],
    [[TEST_IMAGES.scripted, '--tag', TEST_IMAGES.scripted], /confine-test\/scripted:latest: an image of that name exists/],
    [[TEST_IMAGES.scripted, '--profile', '/no/such/dir/p.json'], /\/no\/such\/dir\/p\.json: cannot write here/],
  ];
  for (const [args, says] of cases) {
    const tag = 'confine-test/harden-should-not-exist:test';
    const before = state(args[0]);
    // A case's own --tag or --profile comes first: parseArgs keeps the last of a repeated option.
    const r = await confine(['harden', '--tag', tag, '--profile', join(work, 'never.json'), ...args, '--seconds', '2', '--network', 'none', '--cache-dir', cache]);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: more than one line: ${r.stderr}`);
    assert.match(lines[0], says);
    assert.notEqual(dockerCli(['image', 'inspect', tag]).code, 0, `${args.join(' ')} left the image ${tag}`);
    assert.equal(state(args[0]), before, `${args.join(' ')} left a container, an image or a volume behind`);
  }
  assert.throws(() => readFileSync(join(work, 'never.json')), 'a profile was written for a harden that failed');
});
