// Builds a hardened image through the engine, without a Dockerfile: a container is created (never
// started) from the image, each program is read out of it (docker cp: its owner, mode and attributes
// as the image has them), the launcher, the moved programs and their filters are copied in as one
// archive, and the container is committed under the new tag. The image keeps its configuration
// (entrypoint, cmd, env, user) unchanged: every path still names what it named, and the launcher
// is what runs there. The container is removed whatever happens; a failure after the commit
// removes the new image too, so a failed harden leaves nothing behind.
import { posix } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { hardenedPaths } from './layout.js';

export interface ImageFile {
  /** The program's file in the image (symlinks resolved). */
  file: string;
  /** Its compiled filter. */
  bpf: Buffer;
}

export interface BuildRequest {
  docker: Docker;
  /** The image to build on (an id). */
  from: string;
  launcher: Buffer;
  programs: ImageFile[];
  repo: string;
  tag: string;
  /** LABEL instructions for the commit. */
  labels: Record<string, string>;
  /** Checked between the steps: a step after it fires is not started. */
  signal?: AbortSignal;
}

/** A program's file as the image holds it: docker cp's header (owner, mode, extended attributes) and content. */
export interface Original {
  file: string;
  header: tar.Header;
  content: Buffer;
}

/** The archive laid over the image's root: for each program, the four pieces of layout.ts. */
export function hardeningArchive(launcher: Buffer, programs: readonly (ImageFile & { original: Original })[]): tar.Pack {
  const pack = tar.pack();
  const rel = (p: string): string => p.replace(/^\/+/, '');
  for (const p of programs) {
    const at = hardenedPaths(p.file);
    const h = p.original.header;
    // The program keeps its owner, mode and extended attributes, as the image has them.
    pack.entry({ name: rel(at.moved), type: 'file', mode: h.mode, uid: h.uid, gid: h.gid, uname: h.uname, gname: h.gname, mtime: h.mtime, ...(h.pax ? { pax: h.pax } : {}) }, p.original.content);
    pack.entry({ name: rel(posix.dirname(at.link)), type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    pack.entry({ name: rel(at.link), type: 'symlink', linkname: at.linkTarget, mode: 0o777, uid: 0, gid: 0 });
    pack.entry({ name: rel(at.filter), mode: 0o644, uid: 0, gid: 0 }, p.bpf);
    pack.entry({ name: rel(at.launcher), mode: 0o755, uid: 0, gid: 0 }, launcher);
  }
  pack.finalize();
  return pack;
}

/** The file at `path` in the container, through the engine (docker cp): the original's header and bytes. */
async function readOriginal(container: Docker.Container, path: string): Promise<Original> {
  const stream = (await container.getArchive({ path })) as unknown as NodeJS.ReadableStream;
  const extract = tar.extract();
  let found: Original | undefined;
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      if (!found && header.type === 'file') found = { file: path, header, content: Buffer.concat(chunks) };
      next();
    });
    body.resume();
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
  if (!found) throw new Error(`the engine gave no regular file for ${path}`);
  return found;
}

function labelInstruction(labels: Record<string, string>): string {
  // Dockerfile LABEL syntax: JSON string escaping is accepted inside double quotes.
  return `LABEL ${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`;
}

/** Builds the image; returns its id and each program's original file (its mode and attributes say what no_new_privs takes away). */
export async function buildHardenedImage(req: BuildRequest): Promise<{ imageId: string; originals: Original[] }> {
  // Nothing set on the container: the commit takes its configuration as the image's.
  const container = await req.docker.createContainer({ Image: req.from });
  let imageId: string | undefined;
  try {
    const originals: Original[] = [];
    for (const p of req.programs) originals.push(await readOriginal(container, p.file));
    req.signal?.throwIfAborted();
    await container.putArchive(hardeningArchive(req.launcher, req.programs.map((p, i) => ({ ...p, original: originals[i] }))) as unknown as NodeJS.ReadableStream, { path: '/' });
    req.signal?.throwIfAborted();
    const res = (await container.commit({ repo: req.repo, tag: req.tag, changes: labelInstruction(req.labels), comment: 'confine harden', pause: false })) as { Id?: string };
    imageId = res.Id;
    if (!imageId) throw new Error('the engine committed no image');
    req.signal?.throwIfAborted();
    return { imageId, originals };
  } catch (e) {
    if (imageId) await req.docker.getImage(imageId).remove({ force: true }).catch(() => undefined);
    // A commit whose tagging failed leaves its image untagged: found by the tag, or not at all.
    else await req.docker.getImage(`${req.repo}:${req.tag}`).remove({ force: true }).catch(() => undefined);
    throw e;
  } finally {
    // v: the anonymous volumes the engine created for the image's VOLUMEs go too.
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}
