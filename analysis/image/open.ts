// The one entry point: a root filesystem from whatever the user named (a directory, an OCI layout,
// a docker save tarball, or an image in the Docker engine), extracted once per image id.
import { realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { InputError } from '../errors.js';
import { directoryArchive, tarArchive, type Archive } from './archive.js';
import { cacheKey, RootfsCache } from './cache.js';
import { looksLikeDockerSave, readDockerSave } from './docker-save.js';
import { dockerFrom, exportImage, inspectImage } from './engine.js';
import { looksLikeOciLayout, readOciLayout } from './oci.js';
import { buildRootfs } from './rootfs.js';
import type { ImageConfig, ImageProgress, OpenedImage } from './types.js';

export type { ImageConfig, ImageProgress, OpenedImage } from './types.js';

/** Options of openImage: where extracted trees are kept, which engine, and a progress callback. */
export interface OpenImageOptions {
  cacheDir: string;
  docker?: Docker;
  onProgress?: (p: ImageProgress) => void;
}

type ArchiveSource = 'docker-save' | 'oci';

// A name that can only be meant as a path: reporting "no such image" for it would mislead.
function looksLikePath(ref: string): boolean {
  return /^(\/|\.\.?(\/|$)|~)/.test(ref) || /\.(tar|tgz|tar\.gz|oci)$/i.test(ref);
}

async function archiveKind(a: Archive): Promise<ArchiveSource | null> {
  if (await looksLikeDockerSave(a)) return 'docker-save';
  if (await looksLikeOciLayout(a)) return 'oci';
  return null;
}

// Returns the cached tree for `imageId`, or builds one in a scratch directory and moves it into place.
async function materialise(
  cache: RootfsCache,
  imageId: string,
  source: OpenedImage['source'],
  config: ImageConfig | null,
  build: (tree: string) => Promise<string[]>,
  planWarnings: string[] = [],
): Promise<OpenedImage> {
  const key = cacheKey(imageId);
  const rootfs = cache.rootfsPath(key);
  const hit = await cache.lookup(key);
  if (hit) return { rootfs, imageId, source, config: hit.config, warnings: [...new Set([...planWarnings, ...hit.warnings])], cached: true };
  const tree = await cache.scratch(key.slice(0, 12));
  try {
    const warnings = [...new Set([...planWarnings, ...(await build(tree))])];
    await cache.commit(key, tree, { imageId, source, config, warnings });
    return { rootfs, imageId, source, config, warnings, cached: false };
  } catch (e) {
    await rm(tree, { recursive: true, force: true });
    throw e;
  }
}

async function openArchive(a: Archive, cache: RootfsCache, onProgress?: (p: ImageProgress) => void): Promise<OpenedImage> {
  const kind = await archiveKind(a);
  if (!kind) {
    throw new InputError(
      a.label,
      'neither a docker save archive (no manifest.json) nor an OCI image layout (no oci-layout and index.json); a flat filesystem tarball from docker export must be imported first (docker import)',
    );
  }
  onProgress?.({ phase: 'manifest', file: a.label });
  const plan = kind === 'docker-save' ? await readDockerSave(a) : await readOciLayout(a);
  return materialise(cache, plan.imageId, kind, plan.config, (tree) => buildRootfs(a, plan, tree, onProgress), plan.warnings);
}

async function openEngineImage(ref: string, opts: OpenImageOptions, cache: RootfsCache): Promise<OpenedImage> {
  const docker = dockerFrom(opts.docker);
  opts.onProgress?.({ phase: 'inspect', file: ref });
  const info = await inspectImage(docker, ref);
  return materialise(cache, info.id, 'engine', info.config, async (tree) => {
    const scratch = await cache.scratch('export');
    try {
      const file = join(scratch, 'image.tar');
      // Export by id: a tag moved between inspect and export would otherwise mix two images.
      await exportImage(docker, info.id, file, info.size, opts.onProgress);
      const a = await tarArchive(file, scratch, `${ref} (export from the Docker engine)`);
      try {
        const kind = await archiveKind(a);
        if (!kind) throw new Error(`Docker engine: the export of ${ref} is neither a docker save archive nor an OCI layout`);
        const plan = kind === 'docker-save' ? await readDockerSave(a) : await readOciLayout(a);
        return [...plan.warnings, ...(await buildRootfs(a, plan, tree, opts.onProgress))];
      } finally {
        await a.close();
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
}

/**
 * Opens `ref` as a root filesystem: a directory holding one (returned as is), an OCI image layout
 * (directory or tar), a docker save tarball, or else an image in the Docker engine. Images are
 * extracted safely into `<cacheDir>/rootfs/<id>/` once; later opens of the same id are cached.
 */
export async function openImage(ref: string, opts: OpenImageOptions): Promise<OpenedImage> {
  const cache = new RootfsCache(opts.cacheDir);
  let st;
  try {
    st = await stat(ref);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw new InputError(ref, 'permission denied');
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    if (looksLikePath(ref)) throw new InputError(ref, 'no such file or directory');
    return openEngineImage(ref, opts, cache);
  }
  if (st.isDirectory()) {
    const a = await directoryArchive(ref);
    if (await archiveKind(a)) return openArchive(a, cache, opts.onProgress);
    const real = await realpath(ref);
    return { rootfs: real, imageId: `dir:${real}`, source: 'directory', config: null, warnings: [], cached: false };
  }
  if (!st.isFile()) throw new InputError(ref, 'not a file or directory');
  const scratch = await cache.scratch('tarball');
  try {
    opts.onProgress?.({ phase: 'index', file: ref });
    const a = await tarArchive(ref, scratch);
    try {
      return await openArchive(a, cache, opts.onProgress);
    } finally {
      await a.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
