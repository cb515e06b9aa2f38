import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import { InputError } from '../errors.js';
import { openImage } from './index.js';
import { digest, configBlob, dockerSaveFiles, snapshot, tarBytes } from './fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'confine-engine-'));
const docker = new Docker();
const nonce = randomBytes(4).toString('hex');
const BUILT = `confine-image-test-${nonce}:built`;
const LOADED = `confine-image-test-${nonce}:loaded`;
const created: string[] = [];

// Whether an engine answers; tests that need one skip with this reason when it does not.
async function probeEngine(): Promise<string | null> {
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000))]);
    return null;
  } catch (e) {
    return `no Docker engine: ${(e as Error).message}`;
  }
}
const noEngine = await probeEngine();

function needEngine(t: TestContext): boolean {
  if (noEngine) t.skip(noEngine);
  return !noEngine;
}

async function follow(stream: NodeJS.ReadableStream): Promise<void> {
  const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))),
  );
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`docker: ${failed.error}`);
}

before(async () => {
  if (noEngine) return;
  // Two COPY steps from scratch: two layers, no network and no shell needed.
  const context = await tarBytes([
    {
      name: 'Dockerfile',
      body: 'FROM scratch\nCOPY a/ /\nCOPY b/ /\nENV FOO=bar\nWORKDIR /srv\nUSER 1000:1000\nENTRYPOINT ["/usr/bin/tool"]\nCMD ["--version"]\n',
    },
    { name: 'a/usr/bin/tool', body: `tool ${nonce}`, mode: 0o755 },
    { name: 'a/bin', type: 'symlink', linkname: 'usr/bin' },
    { name: 'a/etc/os-release', body: 'from layer a' },
    { name: 'a/etc/only-a', body: 'a' },
    { name: 'b/etc/os-release', body: 'from layer b' },
    { name: 'b/usr/share/doc/x', body: 'doc' },
  ]);
  await follow(await docker.buildImage(Readable.from([context]), { t: BUILT, rm: true, forcerm: true }));
  created.push(BUILT);
});

after(async () => {
  for (const ref of created) await docker.getImage(ref).remove({ force: true }).catch(() => {});
  rmSync(base, { recursive: true, force: true });
});

test('an engine image: extracted with its config, then cached without an export', async (t) => {
  if (!needEngine(t)) return;
  const cacheDir = join(base, 'cache-built');
  const phases: string[] = [];
  const img = await openImage(BUILT, { cacheDir, docker, onProgress: (p) => phases.push(p.phase) });
  const info = await docker.getImage(BUILT).inspect();
  assert.equal(img.source, 'engine');
  assert.equal(img.imageId, info.Id);
  assert.equal(img.cached, false);
  assert.deepEqual(img.warnings, []);
  assert.deepEqual(img.config && { ...img.config, env: img.config.env.filter((e) => e.startsWith('FOO=')) }, {
    entrypoint: ['/usr/bin/tool'],
    cmd: ['--version'],
    env: ['FOO=bar'],
    workingDir: '/srv',
    user: '1000:1000',
  });
  assert.equal(readFileSync(join(img.rootfs, 'etc/os-release'), 'utf8'), 'from layer b', 'the second COPY layer wins');
  assert.equal(readFileSync(join(img.rootfs, 'etc/only-a'), 'utf8'), 'a');
  assert.equal(readFileSync(join(img.rootfs, 'usr/bin/tool'), 'utf8'), `tool ${nonce}`);
  assert.equal(statSync(join(img.rootfs, 'usr/bin/tool')).mode & 0o777, 0o755);
  assert.equal(readlinkSync(join(img.rootfs, 'bin')), 'usr/bin');
  assert.ok(existsSync(join(img.rootfs, 'usr/share/doc/x')));
  assert.ok(phases.includes('inspect') && phases.includes('layer'));
  assert.deepEqual(readdirSync(join(cacheDir, 'rootfs')).sort(), [info.Id.slice(7), `${info.Id.slice(7)}.json`], 'no export left behind');

  const phases2: string[] = [];
  const started = Date.now();
  const again = await openImage(BUILT, { cacheDir, docker, onProgress: (p) => phases2.push(p.phase) });
  assert.ok(Date.now() - started < 2000, 'a cached open is fast');
  assert.equal(again.cached, true);
  assert.equal(again.rootfs, img.rootfs);
  assert.deepEqual(again.config, img.config);
  assert.deepEqual(phases2, ['inspect'], 'no export when cached');

  // The same image through the export endpoint, saved to a file and opened as a tarball.
  const file = join(base, 'built.tar');
  await pipeline(await docker.getImage(BUILT).get(), createWriteStream(file));
  const fromTar = await openImage(file, { cacheDir: join(base, 'cache-built-tar') });
  assert.equal(fromTar.source, 'docker-save');
  assert.equal(fromTar.imageId, img.imageId);
  assert.equal(fromTar.cached, false);
  assert.deepEqual(snapshot(fromTar.rootfs), snapshot(img.rootfs));
});

test('whiteouts and opaque directories survive a round trip through the engine', async (t) => {
  if (!needEngine(t)) return;
  const layers = [
    await tarBytes([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/gone', body: 'old' },
      { name: 'etc/kept', body: nonce },
      { name: 'opq/', type: 'directory' },
      { name: 'opq/old', body: 'old' },
    ]),
    await tarBytes([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.gone' },
      { name: 'opq/', type: 'directory' },
      { name: 'opq/.wh..wh..opq' },
      { name: 'opq/new', body: 'new' },
    ]),
  ];
  const saved = dockerSaveFiles(layers, LOADED);
  await follow(await docker.loadImage(Readable.from([await tarBytes([...saved].map(([name, body]) => ({ name, body })))])));
  created.push(LOADED);
  const img = await openImage(LOADED, { cacheDir: join(base, 'cache-loaded'), docker });
  assert.equal(img.imageId, digest(configBlob(layers)));
  assert.ok(!existsSync(join(img.rootfs, 'etc/gone')));
  assert.equal(readFileSync(join(img.rootfs, 'etc/kept'), 'utf8'), nonce);
  assert.deepEqual(readdirSync(join(img.rootfs, 'opq')), ['new']);
});

test('an image the engine does not have is an InputError', async (t) => {
  if (!needEngine(t)) return;
  const ref = `confine-no-such-image-${nonce}:latest`;
  await assert.rejects(openImage(ref, { cacheDir: join(base, 'cache-none'), docker }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.message, `${ref}: no such image in the Docker engine`);
    return true;
  });
});

test('an unreachable engine is an InputError naming the endpoint and DOCKER_HOST', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const closed = new Docker({ host: '127.0.0.1', port });
  await assert.rejects(openImage('debian:bookworm', { cacheDir: join(base, 'cache-closed'), docker: closed }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.file, 'Docker engine');
    assert.match(e.problem, new RegExp(`^cannot connect to tcp://127\\.0\\.0\\.1:${port} \\(connection refused; DOCKER_HOST`));
    return true;
  });

  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = 'unix:///nonexistent/confine-docker.sock';
  try {
    await assert.rejects(openImage('debian:bookworm', { cacheDir: join(base, 'cache-closed') }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(
        e.message,
        'Docker engine: cannot connect to unix:///nonexistent/confine-docker.sock (no such socket; DOCKER_HOST is unix:///nonexistent/confine-docker.sock)',
      );
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
});
