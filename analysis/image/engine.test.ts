import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import { InputError } from '../errors.js';
import { openImage } from './index.js';
import tar from 'tar-stream';
import { digest, configBlob, dockerSaveFiles, snapshot, tarBytes, type FixtureEntry } from './fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'confine-engine-'));
const docker = new Docker();
const nonce = randomBytes(4).toString('hex');
const BUILT = `confine-image-test-${nonce}:built`;
const LOADED = `confine-image-test-${nonce}:loaded`;
const OVER = `confine-image-test-${nonce}:over-symlinks`;
const THROUGH = `confine-image-test-${nonce}:through-symlinks`;
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

// What the engine adds to a container's filesystem (its init layer) and the working directory.
const INIT_ENTRIES = /^(\.dockerenv|dev(\/.*)?|proc\/|sys\/|etc\/(hostname|hosts|resolv\.conf|mtab))$/;

// A container's `docker export` in the form of fixtures.ts's snapshot (hard links as their target).
async function exportSnapshot(stream: NodeJS.ReadableStream): Promise<string[]> {
  const extract = tar.extract();
  const lines = new Map<string, string>();
  const links: [string, string][] = [];
  const strip = (n: string) => n.replace(/^\.?\/+/, '').replace(/\/$/, '');
  const read = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const name = strip(h.name);
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      if (name === '' || INIT_ENTRIES.test(h.type === 'directory' ? `${name}/` : name)) continue;
      const mode = ((h.mode ?? 0) & 0o7777).toString(8);
      if (h.type === 'directory') lines.set(name, `${name}/ ${mode}`);
      else if (h.type === 'symlink') lines.set(name, `${name} -> ${h.linkname}`);
      else if (h.type === 'link') links.push([name, strip(h.linkname ?? '')]);
      else lines.set(name, `${name} ${mode} ${digest(Buffer.concat(chunks)).slice(7, 19)}`);
    }
  })();
  await pipeline(stream, extract);
  await read;
  for (const [name, target] of links) lines.set(name, (lines.get(target) ?? `${name} (link to missing ${target})`).replace(target, name));
  return [...lines.values()].sort();
}

async function load(layers: Buffer[], tag: string): Promise<void> {
  const saved = dockerSaveFiles(layers, tag);
  await follow(await docker.loadImage(Readable.from([await tarBytes([...saved].map(([name, body]) => ({ name, body })))])));
}

async function containerExport(ref: string): Promise<string[]> {
  const container = await docker.createContainer({ Image: ref, NetworkDisabled: true });
  try {
    return await exportSnapshot(await container.export());
  } finally {
    await container.remove({ force: true });
  }
}

// A lower layer with symlinks and a file where the upper layers put directories.
const LOWER: FixtureEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'srv/', type: 'directory' },
  { name: 'usr/', type: 'directory' },
  { name: 'usr/bin/', type: 'directory' },
  { name: 'usr/bin/tool', body: 'tool', mode: 0o755 },
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  { name: 'usr/lib/', type: 'directory' },
  { name: 'usr/lib/libc', body: 'libc' },
  { name: 'lib', type: 'symlink', linkname: '/usr/lib' },
  { name: 'foo', body: 'a file' },
  { name: 'usr/sbin/', type: 'directory' },
  { name: 'usr/sbin/t', body: 't' },
  { name: 'sbin', type: 'symlink', linkname: 'usr/sbin' },
  { name: 'opt', type: 'symlink', linkname: 'usr/sbin' },
  { name: 'etc/passwd', body: 'lower' },
  { name: 'etc/shadow', body: 'lower' },
  { name: 'etc/sub', type: 'symlink', linkname: '/nowhere' },
  { name: 'var/', type: 'directory' },
  { name: 'var/x', body: 'lower' },
];

test('entries over a lower layer’s symlinks and files: the engine image matches docker export', async (t) => {
  if (!needEngine(t)) return;
  const upper: FixtureEntry[] = [
    // The entrypoint below the lower layer's `bin -> usr/bin`, without a `bin/` entry.
    { name: 'bin/app', body: `app ${nonce}`, mode: 0o755 },
    { name: 'lib/', type: 'directory', mode: 0o750 },
    { name: 'lib/x/y', body: 'y' },
    { name: 'foo/bar', body: 'bar' },
    { name: 'sbin/.wh.t' },
    { name: 'opt/.wh..wh..opq' },
    { name: 'none/.wh.thing' },
    { name: 'etc/sub/x', body: 'over a lower symlink' },
  ];
  await load([await tarBytes(LOWER), await tarBytes(upper)], OVER);
  created.push(OVER);
  const img = await openImage(OVER, { cacheDir: join(base, 'cache-over'), docker });
  assert.deepEqual(img.warnings, []);
  assert.equal(readFileSync(join(img.rootfs, 'bin/app'), 'utf8'), `app ${nonce}`);
  const exported = await containerExport(OVER);
  assert.ok(exported.includes('bin/ 755') && exported.some((l) => l.startsWith('bin/app 755 ')), exported.join('\n'));
  assert.deepEqual(snapshot(img.rootfs), exported);
});

test('entries through symlinks of their own layer match docker export (an image docker save cannot write back)', async (t) => {
  if (!needEngine(t)) return;
  const upper: FixtureEntry[] = [
    { name: 'etc/group', body: 'group' },
    { name: 'evil', type: 'symlink', linkname: '/etc' },
    { name: 'evil/passwd', body: 'through' },
    { name: 'evil/new/deep', body: 'deep' },
    { name: 'evil/.wh.shadow' },
    { name: 'evil/sub/x', body: 'over a lower symlink' },
    { name: 'usr/bin/app2', body: 'app2' },
    { name: 'b', type: 'symlink', linkname: 'usr/bin' },
    { name: 'a', type: 'symlink', linkname: 'b' },
    { name: 'a/app3', body: 'through a chain' },
    { name: 'hl', type: 'link', linkname: 'a/app3' },
    { name: 'w/esc', type: 'symlink', linkname: '../../../../w2' },
    { name: 'w2/', type: 'directory' },
    { name: 'w/esc/f', body: 'clamped' },
    { name: 'var/.wh.x' },
    { name: 'v', type: 'symlink', linkname: 'var' },
    { name: 'v/z', body: 'z' },
  ];
  const layers = [await tarBytes(LOWER), await tarBytes(upper)];
  await load(layers, THROUGH);
  created.push(THROUGH);
  // Docker 20.10 stores the layer as it wrote it (etc/passwd, not evil/passwd), so it cannot
  // rebuild the original tar: docker save, which Confine reads engine images through, fails. The
  // same bytes are opened as a docker save tarball.
  let viaEngine: string[] | null = null;
  try {
    viaEngine = snapshot((await openImage(THROUGH, { cacheDir: join(base, 'cache-through-engine'), docker })).rootfs);
  } catch (e) {
    assert.match((e as Error).message, /file integrity checksum failed for "evil\/passwd"/);
  }
  const file = join(base, 'through.tar');
  writeFileSync(file, await tarBytes([...dockerSaveFiles(layers)].map(([name, body]) => ({ name, body }))));
  const img = await openImage(file, { cacheDir: join(base, 'cache-through') });
  assert.deepEqual(img.warnings, []);
  const exported = await containerExport(THROUGH);
  assert.ok(exported.some((l) => l.startsWith('etc/passwd ')) && !exported.some((l) => l.startsWith('etc/shadow ')), exported.join('\n'));
  assert.deepEqual(snapshot(img.rootfs), exported);
  if (viaEngine) assert.deepEqual(viaEngine, exported);
});

test('where Docker refuses a layer that writes through its own symlink to nothing in it, Confine skips the entry', async (t) => {
  if (!needEngine(t)) return;
  // Docker looks for the symlink's target in the layer alone and fails the whole load; refusing
  // the one entry (with a warning) keeps the rest of the image analysable.
  const layers = [await tarBytes([{ name: 'etc/passwd', body: 'lower' }]), await tarBytes([{ name: 'evil', type: 'symlink', linkname: '/etc' }, { name: 'evil/passwd', body: 'through' }])];
  const ref = `confine-image-test-${nonce}:refused`;
  await assert.rejects(load(layers, ref), /evil\/passwd: no such file or directory/);
  await docker.getImage(ref).remove({ force: true }).catch(() => {});
  const file = join(base, 'refused.tar');
  writeFileSync(file, await tarBytes([...dockerSaveFiles(layers)].map(([name, body]) => ({ name, body }))));
  const img = await openImage(file, { cacheDir: join(base, 'cache-refused') });
  assert.deepEqual(img.warnings, ['layer 2: evil/passwd: refused, parent evil is a symlink (to /etc) whose target is not in this layer']);
  assert.equal(readFileSync(join(img.rootfs, 'etc/passwd'), 'utf8'), 'lower');
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
