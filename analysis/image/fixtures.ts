// Test fixtures: tar layers, docker save archives and OCI layouts crafted in memory, and a
// comparable listing of a directory tree. Used by the tests of this directory only.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** One entry of a crafted tar. */
export interface FixtureEntry {
  name: string;
  type?: tar.Header['type'];
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
}

/** sha256 of bytes as `sha256:<hex>`. */
export function digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A tar archive of `entries`, in order, as bytes. */
export async function tarBytes(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? (e.name.endsWith('/') ? 'directory' : 'file');
    const body = e.body === undefined ? undefined : Buffer.from(e.body);
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      linkname: e.linkname,
      size: body?.length ?? 0,
      mtime: new Date(0),
      devmajor: 1,
      devminor: 3,
    };
    await new Promise<void>((resolve, reject) => {
      if (body) pack.entry(header, body, (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve())).end(undefined);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The run config every fixture image carries. */
export const FIXTURE_RUN_CONFIG = { Entrypoint: ['/usr/bin/app'], Cmd: ['--serve'], Env: ['PATH=/usr/bin', 'MODE=test'], WorkingDir: '/srv', User: '1000:1000' };

/** An image config blob for layers with these uncompressed bytes. */
export function configBlob(layers: Buffer[], arch = 'amd64'): Buffer {
  return Buffer.from(
    JSON.stringify({ architecture: arch, os: 'linux', config: FIXTURE_RUN_CONFIG, rootfs: { type: 'layers', diff_ids: layers.map(digest) } }),
  );
}

/** Files of a legacy `docker save` archive (`<id>/layer.tar`, `<config>.json`, manifest.json). */
export function dockerSaveFiles(layers: Buffer[], tag = 'confine-test/fixture:latest', config = configBlob(layers)): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const layerNames = layers.map((l, i) => {
    const id = createHash('sha256').update(`layer ${i}`).update(l).digest('hex');
    files.set(`${id}/VERSION`, Buffer.from('1.0'));
    files.set(`${id}/layer.tar`, l);
    return `${id}/layer.tar`;
  });
  const configName = `${digest(config).slice(7)}.json`;
  files.set(configName, config);
  files.set('manifest.json', Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerNames }])));
  return files;
}

/** Files of an OCI image layout; layers gzipped if asked; more manifests can be listed in the index. */
export function ociFiles(layers: Buffer[], opts: { gzip?: boolean; dockerManifest?: boolean } = {}): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const blob = (bytes: Buffer): string => {
    const d = digest(bytes);
    files.set(`blobs/sha256/${d.slice(7)}`, bytes);
    return d;
  };
  const config = configBlob(layers);
  const layerDescs = layers.map((l) => {
    const bytes = opts.gzip ? gzipSync(l) : l;
    return { mediaType: `application/vnd.oci.image.layer.v1.tar${opts.gzip ? '+gzip' : ''}`, digest: blob(bytes), size: bytes.length };
  });
  const configDigest = blob(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layerDescs,
    }),
  );
  const manifestDigest = blob(manifest);
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set(
    'index.json',
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
      }),
    ),
  );
  if (opts.dockerManifest) {
    // Docker 25+ `docker save`: an OCI layout that also carries the classic manifest.json.
    files.set('manifest.json', Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${configDigest.slice(7)}`, RepoTags: ['x:1'], Layers: layerDescs.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }])));
  }
  return files;
}

/** Writes archive files into a directory. */
export function writeDir(dir: string, files: Map<string, Buffer>): void {
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
}

/** Writes archive files as a tar file (members in map order). */
export async function writeTar(file: string, files: Map<string, Buffer>): Promise<void> {
  writeFileSync(file, await tarBytes([...files].map(([name, body]) => ({ name, body }))));
}

/** A sorted, comparable listing of a tree: path, type, permission bits and content digest or link target. */
export function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(join(root, r))}`);
      else if (st.isDirectory()) {
        out.push(`${r}/ ${mode}`);
        walk(r);
      } else out.push(`${r} ${mode} ${digest(readFileSync(join(root, r))).slice(7, 19)}`);
    }
  };
  walk('');
  return out;
}
