// Builds a hardened image through the engine, without a Dockerfile: a container is created (never
// started) from the image, the launcher, the moved programs and their filters are copied in as one
// archive, and the container is committed under the new tag. The image keeps its configuration
// (entrypoint, cmd, env, user) unchanged: every path still names what it named, and the launcher
// is what runs there. The container is removed whatever happens; a failure after the commit
// removes the new image too, so a failed harden leaves nothing behind.
import { lstatSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { resolveInRootfs } from '../link/rootfs.js';
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
  /** Its extracted root filesystem: the programs are read from there. */
  rootfs: string;
  launcher: Buffer;
  programs: ImageFile[];
  repo: string;
  tag: string;
  /** LABEL instructions for the commit. */
  labels: Record<string, string>;
  /** Checked between the steps: a step after it fires is not started. */
  signal?: AbortSignal;
}

/** The archive laid over the image's root: for each program, the four pieces of layout.ts. */
export function hardeningArchive(req: Pick<BuildRequest, 'rootfs' | 'launcher' | 'programs'>): tar.Pack {
  const pack = tar.pack();
  const rel = (p: string): string => p.replace(/^\/+/, '');
  for (const p of req.programs) {
    const at = hardenedPaths(p.file);
    const host = resolveInRootfs(req.rootfs, p.file).hostPath;
    const st = lstatSync(host);
    // The program keeps its owner and mode; setuid and setgid would not apply under no_new_privs.
    pack.entry({ name: rel(at.moved), mode: st.mode & 0o1777, uid: st.uid, gid: st.gid }, readFileSync(host));
    pack.entry({ name: rel(posix.dirname(at.link)), type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    pack.entry({ name: rel(at.link), type: 'symlink', linkname: at.linkTarget, mode: 0o777, uid: 0, gid: 0 });
    pack.entry({ name: rel(at.filter), mode: 0o644, uid: 0, gid: 0 }, p.bpf);
    pack.entry({ name: rel(at.launcher), mode: 0o755, uid: 0, gid: 0 }, req.launcher);
  }
  pack.finalize();
  return pack;
}

function labelInstruction(labels: Record<string, string>): string {
  // Dockerfile LABEL syntax: JSON string escaping is accepted inside double quotes.
  return `LABEL ${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`;
}

/** Builds the image; returns its id. */
export async function buildHardenedImage(req: BuildRequest): Promise<string> {
  // Nothing set on the container: the commit takes its configuration as the image's.
  const container = await req.docker.createContainer({ Image: req.from });
  let imageId: string | undefined;
  try {
    req.signal?.throwIfAborted();
    await container.putArchive(hardeningArchive(req) as unknown as NodeJS.ReadableStream, { path: '/' });
    req.signal?.throwIfAborted();
    const res = (await container.commit({ repo: req.repo, tag: req.tag, changes: labelInstruction(req.labels), comment: 'confine harden', pause: false })) as { Id?: string };
    imageId = res.Id;
    if (!imageId) throw new Error('the engine committed no image');
    req.signal?.throwIfAborted();
    return imageId;
  } catch (e) {
    if (imageId) await req.docker.getImage(imageId).remove({ force: true }).catch(() => undefined);
    throw e;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
