// `docker save` tarballs: manifest.json names the config and the layers in order. Newer engines
// write the same file inside an OCI layout; reading manifest.json covers both.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { MAX_JSON_BYTES, readJson, type Archive } from './archive.js';
import { imageConfigFrom, type ImagePlan } from './types.js';

interface SaveEntry {
  Config: string;
  Layers: string[];
  RepoTags?: unknown;
}

function isSaveEntry(v: unknown): v is SaveEntry {
  const e = v as Partial<SaveEntry> | null;
  return !!e && typeof e.Config === 'string' && Array.isArray(e.Layers) && e.Layers.every((l) => typeof l === 'string');
}

/** True if the archive has a manifest.json shaped like docker save's. */
export async function looksLikeDockerSave(a: Archive): Promise<boolean> {
  if (!(await a.has('manifest.json'))) return false;
  try {
    const m = JSON.parse((await a.read('manifest.json', MAX_JSON_BYTES)).toString('utf8')) as unknown;
    return Array.isArray(m) && m.length > 0 && isSaveEntry(m[0]);
  } catch {
    return false;
  }
}

/** Reads an image config blob: its id (sha256 of the bytes), run config and diff ids. */
export async function readImageConfig(a: Archive, member: string, layerCount: number): Promise<Pick<ImagePlan, 'imageId' | 'config' | 'diffIds'>> {
  const bytes = await a.read(member, MAX_JSON_BYTES);
  let raw: { config?: unknown; rootfs?: { diff_ids?: unknown } };
  try {
    raw = JSON.parse(bytes.toString('utf8')) as typeof raw;
  } catch {
    throw new InputError(a.label, `${member} is not valid JSON`);
  }
  const diffIds = raw?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d))) {
    throw new InputError(a.label, `${member}: the image config has no valid rootfs.diff_ids`);
  }
  // Each layer is checked against its diff id while it is applied: that is what makes a cached
  // rootfs keyed by the config digest trustworthy.
  if (diffIds.length !== layerCount) {
    throw new InputError(a.label, `${member}: the config lists ${diffIds.length} layer digests but the manifest has ${layerCount} layers`);
  }
  return {
    imageId: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    config: imageConfigFrom(raw.config),
    diffIds: diffIds as string[],
  };
}

/** The plan of a docker save archive (legacy layout or OCI-shaped), from its manifest.json. */
export async function readDockerSave(a: Archive): Promise<ImagePlan> {
  const manifest = await readJson(a, 'manifest.json');
  if (!Array.isArray(manifest) || manifest.length === 0 || !isSaveEntry(manifest[0])) {
    throw new InputError(a.label, 'manifest.json is not a docker save manifest (expected a list of {Config, Layers})');
  }
  const warnings: string[] = [];
  const entry = manifest[0];
  if (manifest.length > 1) {
    const tags = Array.isArray(entry.RepoTags) ? entry.RepoTags.join(', ') : '';
    warnings.push(`manifest.json lists ${manifest.length} images; using the first${tags ? ` (${tags})` : ''}`);
  }
  const cfg = await readImageConfig(a, entry.Config, entry.Layers.length);
  // The config's name carries its digest in both layouts (`<hex>.json`, `blobs/sha256/<hex>`).
  const named = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(entry.Config)?.[1];
  if (named && `sha256:${named}` !== cfg.imageId) {
    throw new InputError(a.label, `${entry.Config}: content does not match the digest in its name (corrupt or altered tarball)`);
  }
  return { ...cfg, layers: entry.Layers.map((member) => ({ member })), configMember: entry.Config, warnings };
}
