import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { openImage } from './index.js';
import { configBlob, digest, dockerSaveFiles, FIXTURE_RUN_CONFIG, ociFiles, snapshot, tarBytes, writeDir, writeTar } from './fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'confine-open-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function fresh(name: string): string {
  const d = join(base, `${name}-${n++}`);
  mkdirSync(d);
  return d;
}

const LAYER1 = await tarBytes([
  { name: 'usr/', type: 'directory' },
  { name: 'usr/bin/', type: 'directory' },
  { name: 'usr/bin/app', body: 'app v1', mode: 0o755 },
  { name: 'usr/bin/app-hard', type: 'link', linkname: 'usr/bin/app' },
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  { name: 'etc/gone', body: 'old' },
  { name: 'etc/kept', body: 'kept' },
  { name: 'opq/old', body: 'old' },
]);
const LAYER2 = await tarBytes([
  { name: 'etc/.wh.gone' },
  { name: 'opq/.wh..wh..opq' },
  { name: 'opq/new', body: 'new' },
  { name: 'usr/bin/app', body: 'app v2', mode: 0o755 },
  { name: 'lib64', type: 'symlink', linkname: '/usr/lib64' },
]);
const LAYERS = [LAYER1, LAYER2];
const IMAGE_ID = digest(configBlob(LAYERS));
const RUN_CONFIG = { entrypoint: FIXTURE_RUN_CONFIG.Entrypoint, cmd: FIXTURE_RUN_CONFIG.Cmd, env: FIXTURE_RUN_CONFIG.Env, workingDir: '/srv', user: '1000:1000' };

function assertFixtureTree(rootfs: string): void {
  assert.ok(!existsSync(join(rootfs, 'etc/gone')), 'whiteout applied');
  assert.equal(readFileSync(join(rootfs, 'etc/kept'), 'utf8'), 'kept');
  assert.deepEqual(readdirSync(join(rootfs, 'opq')), ['new'], 'opaque directory applied');
  assert.equal(readFileSync(join(rootfs, 'usr/bin/app'), 'utf8'), 'app v2');
  assert.equal(readFileSync(join(rootfs, 'usr/bin/app-hard'), 'utf8'), 'app v1');
  assert.equal(readlinkSync(join(rootfs, 'bin')), 'usr/bin');
  assert.equal(readlinkSync(join(rootfs, 'lib64')), '/usr/lib64');
}

function isInputError(file: string, problem: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.problem, problem);
    assert.equal(e.message, `${file}: ${e.problem}`);
    return true;
  };
}

test('a docker save tarball: layers in order with whiteouts, config, then a cached second open', async () => {
  const dir = fresh('save');
  const file = join(dir, 'image.tar');
  await writeTar(file, dockerSaveFiles(LAYERS));
  const cacheDir = join(dir, 'cache');
  const phases = new Set<string>();
  const img = await openImage(file, { cacheDir, onProgress: (p) => phases.add(p.phase) });
  assert.equal(img.source, 'docker-save');
  assert.equal(img.imageId, IMAGE_ID);
  assert.equal(img.cached, false);
  assert.equal(img.rootfs, join(cacheDir, 'rootfs', IMAGE_ID.slice(7)));
  assert.deepEqual(img.config, RUN_CONFIG);
  assert.deepEqual(img.warnings, []);
  assert.ok(phases.has('layer'));
  assertFixtureTree(img.rootfs);
  // Only the finished tree and its marker remain: no scratch directories.
  assert.deepEqual(readdirSync(join(cacheDir, 'rootfs')).sort(), [IMAGE_ID.slice(7), `${IMAGE_ID.slice(7)}.json`]);

  const again = await openImage(file, { cacheDir });
  assert.equal(again.cached, true);
  assert.equal(again.rootfs, img.rootfs);
  assert.deepEqual(again.config, RUN_CONFIG);

  // A tree without its marker (a crash before the marker was written) is rebuilt, not trusted.
  rmSync(join(cacheDir, 'rootfs', `${IMAGE_ID.slice(7)}.json`));
  writeFileSync(join(img.rootfs, 'leftover'), '');
  const rebuilt = await openImage(file, { cacheDir });
  assert.equal(rebuilt.cached, false);
  assert.ok(!existsSync(join(rebuilt.rootfs, 'leftover')));
});

test('OCI layouts (directory and tar, gzip layers), Docker 25 save format and gzipped tarballs give the same tree', async () => {
  const dir = fresh('oci');
  const reference = snapshot((await openImage(await saveTar(dir), { cacheDir: join(dir, 'c0') })).rootfs);

  const ociDir = join(dir, 'layout');
  writeDir(ociDir, ociFiles(LAYERS, { gzip: true }));
  const fromDir = await openImage(ociDir, { cacheDir: join(dir, 'c1') });
  assert.equal(fromDir.source, 'oci');
  assert.equal(fromDir.imageId, IMAGE_ID);
  assert.deepEqual(fromDir.config, RUN_CONFIG);
  assert.deepEqual(snapshot(fromDir.rootfs), reference);

  const ociTar = join(dir, 'layout.tar');
  await writeTar(ociTar, ociFiles(LAYERS, { gzip: true }));
  const fromTar = await openImage(ociTar, { cacheDir: join(dir, 'c2') });
  assert.equal(fromTar.source, 'oci');
  assert.deepEqual(snapshot(fromTar.rootfs), reference);

  const docker25 = join(dir, 'docker25.tar');
  await writeTar(docker25, ociFiles(LAYERS, { dockerManifest: true }));
  const fromNew = await openImage(docker25, { cacheDir: join(dir, 'c3') });
  assert.equal(fromNew.source, 'docker-save');
  assert.deepEqual(snapshot(fromNew.rootfs), reference);

  const gz = join(dir, 'image.tar.gz');
  writeFileSync(gz, gzipSync(readFileSync(await saveTar(dir))));
  const fromGz = await openImage(gz, { cacheDir: join(dir, 'c4') });
  assert.deepEqual(snapshot(fromGz.rootfs), reference);
  assert.deepEqual(readdirSync(join(dir, 'c4')).sort(), ['rootfs'], 'the gunzipped scratch copy is removed');
});

async function saveTar(dir: string): Promise<string> {
  const file = join(dir, 'save.tar');
  if (!existsSync(file)) await writeTar(file, dockerSaveFiles(LAYERS));
  return file;
}

test('an OCI index with several platforms and an attestation picks the host platform', async () => {
  const dir = fresh('multi');
  const files = ociFiles(LAYERS, { gzip: true });
  const other = ociFiles([await tarBytes([{ name: 'wrong-arch', body: 'arm' }])]);
  const index = JSON.parse(files.get('index.json')!.toString()) as { manifests: Record<string, unknown>[] };
  const otherIndex = JSON.parse(other.get('index.json')!.toString()) as { manifests: Record<string, unknown>[] };
  for (const [k, v] of other) if (k.startsWith('blobs/')) files.set(k, v);
  const native = { ...index.manifests[0], platform: { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' } };
  const foreign = { ...otherIndex.manifests[0], platform: { os: 'linux', architecture: process.arch === 'arm64' ? 'amd64' : 'arm64' } };
  const attestation = { ...otherIndex.manifests[0], platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } };
  // A nested index, as `docker buildx` writes: index.json -> image index -> manifests.
  const inner = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [foreign, attestation, native] }));
  files.set(`blobs/sha256/${digest(inner).slice(7)}`, inner);
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: digest(inner), size: inner.length }] })));
  writeDir(join(dir, 'layout'), files);
  const img = await openImage(join(dir, 'layout'), { cacheDir: join(dir, 'cache') });
  assert.equal(img.imageId, IMAGE_ID);
  assertFixtureTree(img.rootfs);
  assert.deepEqual(img.warnings, []);
});

test('a plain directory is returned as is', async () => {
  const dir = fresh('plain');
  mkdirSync(join(dir, 'etc'));
  const img = await openImage(dir, { cacheDir: join(base, 'unused-cache') });
  assert.deepEqual(img, { rootfs: realpathSync(dir), imageId: `dir:${realpathSync(dir)}`, source: 'directory', config: null, warnings: [], cached: false });
  assert.ok(!existsSync(join(base, 'unused-cache')), 'nothing is cached for a plain directory');
});

test('a malicious image opened end to end stays inside the cache and reports each entry', async () => {
  const dir = fresh('evil');
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  const evil = await tarBytes([
    { name: '../../../escape', body: 'x' },
    { name: '/etc/abs', body: 'abs' },
    { name: 'evil', type: 'symlink', linkname: outside },
    { name: 'evil/x', body: 'through the link' },
    { name: 'hl', type: 'link', linkname: '/etc/passwd' },
    { name: 'dev/console', type: 'character-device' },
  ]);
  const file = join(dir, 'evil.tar');
  await writeTar(file, dockerSaveFiles([evil]));
  const img = await openImage(file, { cacheDir: join(dir, 'cache') });
  assert.deepEqual(readdirSync(outside), []);
  assert.deepEqual(readdirSync(dir).sort(), ['cache', 'evil.tar', 'outside']);
  assert.deepEqual(img.warnings, [
    'layer 1: ../../../escape: refused, path escapes the root',
    'layer 1: /etc/abs: leading / removed',
    // Docker follows a symlink of the same layer inside the layer and fails the whole load when,
    // as here, the target is not in it (layers.test.ts has the cases it follows).
    `layer 1: evil/x: refused, parent evil is a symlink (to ${outside}) whose target is not in this layer`,
    'layer 1: hl: refused, hard link to /etc/passwd: not in the rootfs',
    'layer 1: 1 device files, FIFOs or sockets not created: dev/console',
  ]);
  // The cached open reports the same warnings.
  assert.deepEqual((await openImage(file, { cacheDir: join(dir, 'cache') })).warnings, img.warnings);
});

test('bad input is an InputError naming the file and the problem', async () => {
  const dir = fresh('bad');
  const cacheDir = join(dir, 'cache');
  const missing = join(dir, 'nope.tar');
  await assert.rejects(openImage(missing, { cacheDir }), isInputError(missing, /^no such file or directory$/));

  const random = join(dir, 'random.tar');
  writeFileSync(random, randomBytes(4096));
  await assert.rejects(openImage(random, { cacheDir }), isInputError(random, /not a tar archive/));

  const real = readFileSync(await saveTar(dir));
  const truncated = join(dir, 'truncated.tar');
  writeFileSync(truncated, real.subarray(0, Math.floor(real.length / 2) + 100));
  await assert.rejects(openImage(truncated, { cacheDir }), isInputError(truncated, /^truncated: /));

  const truncatedGz = join(dir, 'truncated.tar.gz');
  const gz = gzipSync(real);
  writeFileSync(truncatedGz, gz.subarray(0, gz.length - 40));
  await assert.rejects(openImage(truncatedGz, { cacheDir }), isInputError(truncatedGz, /corrupt or truncated gzip/));

  const flat = join(dir, 'flat.tar');
  writeFileSync(flat, await tarBytes([{ name: 'etc/hostname', body: 'x' }]));
  await assert.rejects(openImage(flat, { cacheDir }), isInputError(flat, /neither a docker save archive .* nor an OCI image layout/));

  // A layer altered after the config was written: its diff id no longer matches.
  const altered = dockerSaveFiles(LAYERS);
  const layerName = [...altered.keys()].find((k) => k.endsWith('layer.tar'))!;
  altered.set(layerName, await tarBytes([{ name: 'etc/kept', body: 'tampered' }]));
  const alteredFile = join(dir, 'altered.tar');
  await writeTar(alteredFile, altered);
  await assert.rejects(openImage(alteredFile, { cacheDir }), isInputError(alteredFile, /layer \d \(.*\): content does not match the digest in the image config/));

  const zstdLayer = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(64)]);
  const zstdFile = join(dir, 'zstd.tar');
  await writeTar(zstdFile, dockerSaveFiles([zstdLayer]));
  await assert.rejects(openImage(zstdFile, { cacheDir }), isInputError(zstdFile, /layer 1 \(.*\) is zstd-compressed, which is not supported/));

  const badGzipLayer = gzipSync(LAYER1).subarray(0, 60);
  const badGzip = join(dir, 'badgzip.tar');
  await writeTar(badGzip, dockerSaveFiles([badGzipLayer]));
  await assert.rejects(openImage(badGzip, { cacheDir }), isInputError(badGzip, /layer 1 \(.*\): corrupt or truncated layer/));

  const noLayer = dockerSaveFiles(LAYERS);
  noLayer.delete(layerName);
  const noLayerFile = join(dir, 'nolayer.tar');
  await writeTar(noLayerFile, noLayer);
  await assert.rejects(openImage(noLayerFile, { cacheDir }), isInputError(noLayerFile, /^layer 1 \([0-9a-f]{64}\/layer.tar\) is missing from the archive$/));

  // Nothing half-built is left behind by any of these failures.
  assert.deepEqual(existsSync(join(cacheDir, 'rootfs')) ? readdirSync(join(cacheDir, 'rootfs')) : [], []);
});

test('an OCI layout directory whose blobs lead outside it through symlinks is refused, naming the blob', async () => {
  const dir = fresh('oci-symlinks');
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  const files = ociFiles(LAYERS);
  const layerBlob = `blobs/sha256/${digest(LAYER1).slice(7)}`;

  // A layer blob that is a symlink to a host file (here a valid layer, so only the link is wrong).
  const layout = join(dir, 'layout');
  writeDir(layout, files);
  writeFileSync(join(outside, 'host-file'), LAYER1);
  rmSync(join(layout, layerBlob));
  symlinkSync(join(outside, 'host-file'), join(layout, layerBlob));
  await assert.rejects(
    openImage(layout, { cacheDir: join(dir, 'cache') }),
    isInputError(layout, new RegExp(`^${layerBlob} leads outside the directory \\(to ${join(outside, 'host-file')}\\); refusing to read it$`)),
  );

  // The whole blobs directory as a relative symlink out of the layout: the index names blobs too.
  const layout2 = join(dir, 'layout2');
  writeDir(join(outside, 'copy'), files);
  mkdirSync(layout2);
  for (const f of ['oci-layout', 'index.json']) writeFileSync(join(layout2, f), files.get(f)!);
  symlinkSync('../outside/copy/blobs', join(layout2, 'blobs'));
  await assert.rejects(openImage(layout2, { cacheDir: join(dir, 'cache') }), isInputError(layout2, /^blobs\/sha256\/[0-9a-f]{64} leads outside the directory \(to .*outside\/copy\/blobs\/sha256\/[0-9a-f]{64}\); refusing to read it$/));

  // Symlinks that stay inside the layout are fine, and so is reaching the layout through a symlink.
  const layout3 = join(dir, 'layout3');
  writeDir(layout3, files);
  mkdirSync(join(layout3, 'store'));
  renameSync(join(layout3, layerBlob), join(layout3, 'store/layer'));
  symlinkSync('../../store/layer', join(layout3, layerBlob));
  symlinkSync(layout3, join(dir, 'via-link'));
  const img = await openImage(join(dir, 'via-link'), { cacheDir: join(dir, 'cache') });
  assert.equal(img.imageId, IMAGE_ID);
  assertFixtureTree(img.rootfs);
  assert.deepEqual(readdirSync(outside).sort(), ['copy', 'host-file']);
});
