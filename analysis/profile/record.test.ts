// Phase 1 against the real engine and kernel: a fixture image built from host binaries, recorded
// with tracefs (several at once), an instantly exiting container, an abort, and polling mode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Docker from 'dockerode';
import { InputError } from '../errors.js';
import { importFixtureImage } from './fixture-image.js';
import { findTracefs } from './tracefs.js';
import { recordContainer, type PhaseOneResult } from './index.js';

const docker = new Docker();
let image: string | undefined;
let skip: string | undefined;
let instancesDir: string | undefined;

before(async () => {
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000))]);
  } catch (e) {
    skip = `Docker engine unreachable (${(e as Error).message})`;
    return;
  }
  image = await importFixtureImage(docker);
  if (process.getuid?.() === 0) instancesDir = `${await findTracefs()}/instances`;
});

after(async () => {
  if (image) await docker.getImage(image).remove({ force: true });
});

function ourInstances(): string[] {
  if (!instancesDir) return [];
  return fs.readdirSync(instancesDir).filter((n) => n.startsWith(`confine-${process.pid}-`));
}

/** Phase-1 containers left from this file's image (other recorders may run at the same time). */
async function phase1Containers(): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: ['confine=phase1'], ancestor: [image ?? ''] } })).length;
}

function program(r: PhaseOneResult, p: string): PhaseOneResult['programs'][number] | undefined {
  return r.programs.find((x) => x.path === p);
}

test('tracefs recording sees every program of the entrypoint, five recordings at once', async (t) => {
  if (skip || !image) return t.skip(skip);
  if (!instancesDir) return t.skip('tracefs needs root');
  const img = image;
  const phases = new Set<string>();
  const results = await Promise.all(
    Array.from({ length: 5 }, () => recordContainer({ docker, image: img, seconds: 3, onProgress: (p) => phases.add(p.phase) })),
  );
  for (const r of results) {
    assert.equal(r.method, 'tracefs');
    assert.deepEqual(
      r.programs.map((p) => p.path),
      ['/bin/sh', '/bin/sleep', '/bin/true', '/entrypoint.sh', '/usr/bin/id'],
    );
    // The short-lived ones are all there, each exactly as often as it ran: no misses, no neighbours'.
    assert.equal(program(r, '/bin/true')?.execs, 6);
    assert.equal(program(r, '/usr/bin/id')?.execs, 1);
    assert.deepEqual(program(r, '/bin/sh'), { path: '/bin/sh', execs: 1, interpreterOf: ['/entrypoint.sh'] });
    assert.deepEqual(
      r.execs.map((x) => x.path),
      ['/entrypoint.sh', '/bin/true', '/usr/bin/id', '/bin/true', '/bin/true', '/bin/true', '/bin/true', '/bin/true', '/bin/sleep'],
    );
    const init = r.execs[0];
    assert.equal(init.ppid, 0);
    assert.ok(r.execs.slice(1, -1).every((x) => x.ppid === init.pid && x.exited === true));
    const last = r.execs.at(-1)!;
    assert.equal(last.pid, init.pid);
    assert.equal(last.exited, undefined, 'sleep ran until the window closed');
    assert.equal(last.argv0, '/bin/sleep');
    assert.ok(r.execs.every((x) => x.atMs >= 0 && x.atMs < 3000), `atMs within the window: ${r.execs.map((x) => x.atMs)}`);
    assert.ok(
      r.libraries.some((l) => l.program === '/bin/sleep' && l.path === '/lib/x86_64-linux-gnu/libc.so.6'),
      JSON.stringify(r.libraries),
    );
    assert.ok(!r.libraries.some((l) => l.path === '/bin/sleep'), 'the program itself is not a library');
    assert.equal(r.containerExit, undefined);
    assert.deepEqual(
      r.warnings.filter((w) => !/trace events lost/.test(w)),
      [],
    );
  }
  assert.ok(phases.has('record') && phases.has('done'));
  assert.equal(await phase1Containers(), 0, 'containers removed');
  assert.deepEqual(ourInstances(), [], 'trace instances removed');
});

test('a container that exits at once is reported with its code, without waiting for the window', async (t) => {
  if (skip || !image) return t.skip(skip);
  const started = Date.now();
  const r = await recordContainer({ docker, image, seconds: 20, cmd: ['/bin/true'] });
  assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
  assert.equal(r.containerExit?.code, 0);
  assert.ok((r.containerExit?.afterMs ?? Infinity) < 5000);
  if (r.method === 'tracefs') assert.deepEqual(r.programs, [{ path: '/bin/true', execs: 1 }]);
  const failing = await recordContainer({ docker, image, seconds: 20, cmd: ['/bin/sh', '-c', '/usr/bin/id; exit 3'] });
  assert.equal(failing.containerExit?.code, 3);
  if (failing.method === 'tracefs') {
    assert.deepEqual(
      failing.programs.map((p) => p.path),
      ['/bin/sh', '/usr/bin/id'],
    );
  }
  // Several at once: each must be told apart from the others although none lives until inspect.
  const img = image;
  const many = await Promise.all(Array.from({ length: 3 }, () => recordContainer({ docker, image: img, seconds: 20, cmd: ['/bin/true'] })));
  for (const m of many) {
    assert.equal(m.containerExit?.code, 0);
    if (m.method === 'tracefs') assert.deepEqual(m.programs, [{ path: '/bin/true', execs: 1 }], m.warnings.join('\n'));
  }
  assert.equal(await phase1Containers(), 0);
  assert.deepEqual(ourInstances(), []);
});

test('an abort stops the recording early and still cleans up', async (t) => {
  if (skip || !image) return t.skip(skip);
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 1000);
  const started = Date.now();
  const r = await recordContainer({ docker, image, seconds: 30, signal: ctl.signal });
  const took = Date.now() - started;
  assert.ok(took < 6000, `took ${took} ms`);
  assert.ok(r.warnings.some((w) => /aborted after/.test(w)), r.warnings.join('\n'));
  assert.ok(program(r, '/bin/sleep'), 'what ran before the abort is kept');
  assert.equal(await phase1Containers(), 0);
  assert.deepEqual(ourInstances(), []);
  // Aborted before anything started: nothing is created at all.
  const r2 = await recordContainer({ docker, image, seconds: 30, signal: AbortSignal.abort() });
  assert.deepEqual(r2.programs, []);
  assert.equal(await phase1Containers(), 0);
});

test('polling mode finds the long-lived program and says what it may miss', async (t) => {
  if (skip || !image) return t.skip(skip);
  const r = await recordContainer({ docker, image, seconds: 3, forcePoll: true });
  assert.equal(r.method, 'poll');
  assert.ok(program(r, '/bin/sleep'), JSON.stringify(r.programs));
  assert.ok(r.warnings.some((w) => /polling \/proc every 50 ms; processes living less than that may be missed/.test(w)));
  assert.ok(r.libraries.some((l) => l.program === '/bin/sleep' && l.path.endsWith('/libc.so.6')));
  assert.equal(await phase1Containers(), 0);
});

test('user errors: unknown image, unreachable engine, bad window', async (t) => {
  if (skip) return t.skip(skip);
  await assert.rejects(
    recordContainer({ docker, image: 'confine-no-such-image:nope', seconds: 1 }),
    (e: unknown) => e instanceof InputError && /no such image/.test(e.message),
  );
  const nowhere = new Docker({ socketPath: '/nonexistent/docker.sock' });
  await assert.rejects(
    recordContainer({ docker: nowhere, image: 'x', seconds: 1 }),
    (e: unknown) => e instanceof InputError && /DOCKER_HOST/.test(e.message),
  );
  if (image) {
    await assert.rejects(
      recordContainer({ docker, image, seconds: 5, cmd: ['/no/such/program'] }),
      (e: unknown) => e instanceof InputError && /did not start: .*\/no\/such\/program/.test(e.message),
    );
    assert.equal(await phase1Containers(), 0, 'the container that did not start is removed too');
    assert.deepEqual(ourInstances(), []);
  }
  await assert.rejects(
    recordContainer({ docker, image: image ?? 'x', seconds: 0 }),
    (e: unknown) => e instanceof InputError && /positive/.test(e.message),
  );
});

test('for verify: a seccomp profile reaches the runtime, the window waits for whileRunning, pids are given', async (t) => {
  if (skip || !image) return t.skip(skip);
  // A profile that forbids execve: runc's init cannot exec the entrypoint and exits at once.
  const denied = await recordContainer({
    docker,
    image,
    seconds: 5,
    seccompProfile: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['execve'], action: 'SCMP_ACT_ERRNO' }] },
  });
  assert.notEqual(denied.containerExit?.code ?? 0, 0);
  assert.deepEqual(denied.programs, []);
  const started = Date.now();
  let ran = 0;
  const r = await recordContainer({
    docker,
    image,
    seconds: 0.5,
    whileRunning: async () => {
      await new Promise((res) => setTimeout(res, 2000));
      ran = Date.now() - started;
    },
  });
  assert.ok(ran >= 2000 && Date.now() - started >= ran, 'the window lasted until whileRunning settled');
  assert.ok(program(r, '/bin/sleep'));
  for (const x of r.execs) assert.ok(r.pids.includes(x.pid), `pid ${x.pid} of ${x.path} is in pids`);
  await assert.rejects(
    recordContainer({ docker, image, seconds: 0.5, whileRunning: () => Promise.reject(new Error('workload failed')) }),
    /workload failed/,
  );
  assert.equal(await phase1Containers(), 0);
  assert.deepEqual(ourInstances(), []);
});

test('processes docker exec starts inside the container are the container\'s too (they run under its filter)', async (t) => {
  if (skip || !image) return t.skip(skip);
  if (!instancesDir) return t.skip('tracefs needs root');
  const img = image;
  let ran = false;
  const r = await recordContainer({
    docker,
    image: img,
    seconds: 2,
    whileRunning: async () => {
      // The container is up: exec a program no process of the entrypoint runs (id's sibling, true).
      const [c] = await docker.listContainers({ filters: { label: ['confine=phase1', `confine.pid=${process.pid}`], ancestor: [img] } });
      const exec = await docker.getContainer(c.Id).exec({ Cmd: ['/bin/sleep', '0.2'], AttachStdout: false, AttachStderr: false });
      // Even detached, the engine's answer is a stream that holds the connection open: close it.
      const answer = (await exec.start({ Detach: true })) as unknown as { destroy?: () => void } | undefined;
      answer?.destroy?.();
      for (let i = 0; i < 50 && (await exec.inspect()).Running !== false; i++) await new Promise((res) => setTimeout(res, 50));
      ran = true;
    },
  });
  assert.ok(ran);
  const sleep = program(r, '/bin/sleep');
  assert.ok(sleep, `phase 1 missed the exec'd /bin/sleep: ${r.programs.map((p) => p.path).join(', ')}`);
  // The entrypoint's own sleep plus the exec'd one.
  assert.ok(sleep.execs >= 2, `sleep ran ${sleep.execs} time(s)`);
  assert.ok(!r.programs.some((p) => p.path.startsWith('/proc/self') || p.path.endsWith('/runc')), `runtime internals listed: ${r.programs.map((p) => p.path).join(', ')}`);
});
