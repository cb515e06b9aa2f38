// OCI image layouts (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`): follow the index to one image
// manifest, preferring the host's platform, then its config and layers.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { MAX_JSON_BYTES, readJson, type Archive } from './archive.js';
import { readImageConfig } from './docker-save.js';
import type { ImagePlan } from './types.js';

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string };
  annotations?: Record<string, string>;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MAX_INDEX_DEPTH = 4;

/** True if the archive has the two files that make an OCI image layout. */
export async function looksLikeOciLayout(a: Archive): Promise<boolean> {
  return (await a.has('oci-layout')) && (await a.has('index.json'));
}

/** Archive member of a blob, from its digest; InputError for anything that is not `alg:hex`. */
export function blobMember(a: Archive, digest: unknown): string {
  const m = typeof digest === 'string' ? /^(sha256|sha512):([0-9a-f]{64,128})$/.exec(digest) : null;
  if (!m) throw new InputError(a.label, `invalid blob digest ${JSON.stringify(digest)}`);
  return `blobs/${m[1]}/${m[2]}`;
}

// Small blobs (index, manifest) are read whole, so checking their digest costs nothing.
async function readBlobJson(a: Archive, digest: string): Promise<unknown> {
  const member = blobMember(a, digest);
  const bytes = await a.read(member, MAX_JSON_BYTES);
  const [alg, hex] = digest.split(':');
  if (createHash(alg).update(bytes).digest('hex') !== hex) {
    throw new InputError(a.label, `${member}: content does not match its digest (corrupt or altered archive)`);
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new InputError(a.label, `${member} is not valid JSON`);
  }
}

function descriptors(a: Archive, where: string, v: unknown): Descriptor[] {
  const list = (v as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(list) || list.length === 0) throw new InputError(a.label, `${where} lists no manifests`);
  for (const d of list) blobMember(a, (d as Descriptor | null)?.digest);
  return list as Descriptor[];
}

function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

function describe(d: Descriptor): string {
  const name = d.annotations?.['org.opencontainers.image.ref.name'] ?? d.annotations?.['io.containerd.image.name'];
  const plat = d.platform ? `${d.platform.os ?? '?'}/${d.platform.architecture ?? '?'}` : '';
  return [name, plat].filter(Boolean).join(' ') || d.digest;
}

// Build attestations (provenance, SBOM) sit in the index next to the image with platform unknown/unknown.
function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown';
}

function choose(list: Descriptor[], where: string, warnings: string[]): Descriptor {
  const images = list.filter((d) => !isAttestation(d));
  const candidates = images.length > 0 ? images : list;
  const arch = hostArchitecture();
  const native = candidates.filter((d) => d.platform?.os === 'linux' && d.platform.architecture === arch);
  if (native.length > 0) return native[0];
  const chosen = candidates[0];
  if (candidates.length > 1) warnings.push(`${where} lists ${candidates.length} images and none for linux/${arch}; using the first (${describe(chosen)})`);
  else if (chosen.platform?.architecture && chosen.platform.architecture !== arch) warnings.push(`${where}: the image is for ${describe(chosen)}, not linux/${arch}`);
  return chosen;
}

/** The plan of an OCI image layout: the image for the host's platform (or the only one). */
export async function readOciLayout(a: Archive): Promise<ImagePlan> {
  const warnings: string[] = [];
  const index = await readJson(a, 'index.json');
  let where = 'index.json';
  let desc = choose(descriptors(a, where, index), where, warnings);
  let manifest: unknown;
  for (let depth = 0; ; depth++) {
    manifest = await readBlobJson(a, desc.digest);
    const nested = INDEX_TYPES.has(desc.mediaType ?? '') || (manifest as { manifests?: unknown } | null)?.manifests !== undefined;
    if (!nested) break;
    if (depth >= MAX_INDEX_DEPTH) throw new InputError(a.label, `image indexes nested more than ${MAX_INDEX_DEPTH} deep`);
    where = blobMember(a, desc.digest);
    desc = choose(descriptors(a, where, manifest), where, warnings);
  }
  const m = manifest as { config?: Descriptor; layers?: unknown } | null;
  const manifestMember = blobMember(a, desc.digest);
  if (!m?.config || !Array.isArray(m.layers)) throw new InputError(a.label, `${manifestMember} is not an image manifest (no config or layers)`);
  const layers = (m.layers as Descriptor[]).map((l) => ({ member: blobMember(a, l?.digest), mediaType: typeof l.mediaType === 'string' ? l.mediaType : undefined }));
  const configMember = blobMember(a, m.config.digest);
  const cfg = await readImageConfig(a, configMember, layers.length);
  const [alg, hex] = m.config.digest.split(':');
  const actual = alg === 'sha256' ? cfg.imageId.slice('sha256:'.length) : createHash(alg).update(await a.read(configMember, MAX_JSON_BYTES)).digest('hex');
  if (actual !== hex) {
    throw new InputError(a.label, `${configMember}: content does not match its digest (corrupt or altered archive)`);
  }
  return { ...cfg, layers, configMember, warnings };
}
