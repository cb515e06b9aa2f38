// Applying one layer tar onto a root filesystem directory, the way an overlay would see it, without
// ever writing outside that directory: layer tars come from whoever built the image, and a crafted
// entry (`../x`, `/etc/x`, a symlink then a file through it, a hard link to a host file) must not
// reach the host. Everything is checked with lstat against what this process itself has written,
// and nothing else writes to the target while a layer is applied.
//
// The tree is meant to be the one Docker runs (checked against Docker 20.10, overlay2 with native
// diff, in engine.test.ts): see LayerWriter.resolveDirs for symlinks and files in an entry's path.
// Differences, each where Docker would leave the root or fails to load the image at all:
// - a name climbing above the root (`../x`) is refused; Docker, chrooted, writes it at the root;
// - where Docker fails the whole load (a symlink of the layer leading to nothing in that layer, a
//   parent that is a file of the layer) only that entry is refused, with a warning; a hard link to
//   a lower layer's file, which Docker cannot see either, is made;
// - device files and FIFOs are not created, and setuid, setgid and sticky bits are dropped.
// An engine whose overlay2 lacks native diff applies layers onto the mounted image instead, so a
// lower symlink in the way is followed there (from Docker's source; not checked).
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, open, readdir, readlink, rm, rmdir, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { LayerWarnings } from './warnings.js';
import { InputError } from '../errors.js';

/** Where a layer goes and how it is named in warnings and errors. */
export interface LayerTarget {
  /** The root filesystem directory being built (a fresh directory this process owns). */
  root: string;
  /** 1-based layer number, for warnings. */
  layer: number;
  warnings: LayerWarnings;
}

/** The layer's bytes are not a valid tar (corrupt, truncated, wrong compression). */
export class LayerDataError extends Error {
  override name = 'LayerDataError';
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
// Errors caused by a name the host filesystem cannot hold: skip the entry, keep the layer.
const NAME_ERRORS = new Set(['ENAMETOOLONG', 'EINVAL', 'EILSEQ']);

interface SplitName {
  parts: string[];
  absolute: boolean;
  escapes: boolean;
}

/** Splits an entry name into components, resolving `.` and `..` lexically; `escapes` if `..` climbs above the root. */
export function splitEntryName(name: string): SplitName {
  const parts: string[] = [];
  let escapes = false;
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) escapes = true;
      else parts.pop();
    } else parts.push(p);
  }
  return { parts, absolute: name.startsWith('/'), escapes };
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return null;
    throw e;
  }
}

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  let off = 0;
  while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
}

// The mode bits kept: permission bits only (no setuid, setgid or sticky). The owner keeps read on
// files and full access on directories so a non-root user can analyse and later delete the cache.
function fileMode(mode: number | undefined): number {
  return ((mode ?? 0o644) & 0o777) | 0o400;
}
function dirMode(mode: number | undefined): number {
  return ((mode ?? 0o755) & 0o777) | 0o700;
}

// Linux's limit on symlinks followed while resolving one path (MAXSYMLINKS).
const MAX_SYMLINK_HOPS = 40;

/** A directory resolved to its real path under the root (`parts`), or why it could not be. */
type DirResult = { ok: true; parts: string[] } | { ok: false; missing: boolean; problem: string };

class LayerWriter {
  // Paths this layer created, replaced or went through, by their real path under the root: the
  // layer's own directory as Docker builds it (see resolveDirs). Whiteouts and opaque directories
  // hide everything else, and only these are seen through this layer's symlinks.
  private readonly written = new Set<string>();
  // Real directories (not symlinks) already checked, all in `written`; cleared whenever anything
  // that may be a directory is removed.
  private readonly dirsOk = new Set<string>();

  constructor(private readonly t: LayerTarget) {}

  private host(rel: string): string {
    return join(this.t.root, rel);
  }

  private warn(kind: string, name: string, problem = kind): void {
    this.t.warnings.add(this.t.layer, kind, name, problem);
  }

  /**
   * The real directory the components `parts` name, found the way Docker's untar finds it (checked
   * against Docker 20.10 on overlay2; see engine.test.ts). Docker applies a layer into an empty
   * directory of its own, chrooted there, and the overlay mount then stacks the layers:
   * - a directory missing from the layer is created (as Docker's MkdirAll does), so a lower layer's
   *   symlink or file in the way is replaced by a real directory, as overlay shows an upper
   *   directory in place of a lower non-directory: `bin -> usr/bin` below, `bin/app` in this layer
   *   gives a real `bin/` holding only `app`;
   * - a symlink this layer wrote is followed as in that chroot: absolute targets and `..` stay
   *   inside the root, and only this layer's entries count. Where Docker finds nothing (the target
   *   is in a lower layer, outside the image, or missing) it refuses to load the whole image; here
   *   that entry alone is refused, with a warning;
   * - a file this layer wrote is not a directory (Docker fails, ENOTDIR; refused here).
   * Every component is checked with lstat, never followed by the OS, so nothing resolves outside
   * the root. With `create` false (hard link targets) nothing is created or replaced: directories
   * of any layer are taken as they are, and a lower layer's symlink is refused (Docker does not
   * see it either, and fails).
   */
  private async resolveDirs(parts: string[], create: boolean): Promise<DirResult> {
    const cur: string[] = [];
    const hops = { n: 0 };
    for (const name of parts) {
      cur.push(name);
      const rel = cur.join('/');
      if (this.dirsOk.has(rel)) continue;
      const st = await lstatOrNull(this.host(rel));
      if (st?.isDirectory()) {
        if (create) this.markDir(rel);
        continue;
      }
      if (st && this.written.has(rel)) {
        if (!st.isSymbolicLink()) return { ok: false, missing: false, problem: `parent ${rel} is not a directory` };
        const to = await this.follow(rel, cur.slice(0, -1), hops);
        if (!to.ok) return to;
        cur.splice(0, cur.length, ...to.parts);
        continue;
      }
      // Missing, or a lower layer's symlink or file.
      if (!create) {
        if (!st) return { ok: false, missing: true, problem: `parent ${rel} is missing` };
        if (!st.isSymbolicLink()) return { ok: false, missing: false, problem: `parent ${rel} is not a directory` };
        const to = await readlink(this.host(rel)).catch(() => '?');
        return { ok: false, missing: false, problem: `parent ${rel} is a symlink (to ${to}) from a lower layer` };
      }
      if (st) await unlink(this.host(rel)); // the entry itself, never what a symlink points to
      await mkdir(this.host(rel));
      // chmod follows symlinks, but this was just created as a real directory in a checked parent.
      await chmod(this.host(rel), dirMode(undefined)); // 0755 whatever the umask, as Docker's
      this.markDir(rel);
    }
    return { ok: true, parts: cur };
  }

  private markDir(rel: string): void {
    this.written.add(rel);
    this.dirsOk.add(rel);
  }

  /**
   * Where symlink `rel` (written by this layer, in the real directory `dir`) leads, resolved as in
   * a chroot to the root that holds only this layer's entries; must be a directory.
   */
  private async follow(rel: string, dir: string[], hops: { n: number }): Promise<DirResult> {
    const target = await readlink(this.host(rel));
    const refuse = (why: string): DirResult => ({ ok: false, missing: false, problem: `parent ${rel} is a symlink (to ${target}) ${why}` });
    if (++hops.n > MAX_SYMLINK_HOPS) return refuse('in a loop of symlinks');
    const cur = target.startsWith('/') ? [] : [...dir];
    for (const name of target.split('/')) {
      if (name === '' || name === '.') continue;
      if (name === '..') {
        cur.pop(); // `..` of the root is the root, as in a chroot
        continue;
      }
      cur.push(name);
      const r = cur.join('/');
      if (this.dirsOk.has(r)) continue;
      const st = this.written.has(r) ? await lstatOrNull(this.host(r)) : null;
      if (!st) return refuse('whose target is not in this layer');
      if (st.isDirectory()) {
        this.dirsOk.add(r);
        continue;
      }
      if (!st.isSymbolicLink()) return refuse('whose target is not a directory');
      const next = await this.follow(r, cur.slice(0, -1), hops);
      if (!next.ok) return next;
      cur.splice(0, cur.length, ...next.parts);
    }
    return { ok: true, parts: cur };
  }

  /** Removes whatever is at `rel` (a symlink itself, never its target). */
  private async remove(rel: string): Promise<void> {
    const st = await lstatOrNull(this.host(rel));
    if (!st) return;
    if (st.isDirectory()) {
      await rm(this.host(rel), { recursive: true, force: true });
      this.dirsOk.clear();
    } else await unlink(this.host(rel));
  }

  /** Applies one entry; `body` is its data (only read for regular files). */
  async apply(header: tar.Header, body: AsyncIterable<unknown>): Promise<void> {
    const raw = header.name;
    // PAX records can smuggle a NUL into a name, which no path can hold.
    if (raw.includes('\0') || header.linkname?.includes('\0')) return this.warn('refused, name contains a NUL byte', raw.replaceAll('\0', '\\0'));
    try {
      await this.applyNamed(raw, header, body);
    } catch (e) {
      const code = errCode(e);
      if (!code || !NAME_ERRORS.has(code)) throw e;
      this.warn('not created, the host filesystem refused the name', raw, `not created (${code})`);
    }
  }

  private async applyNamed(raw: string, header: tar.Header, body: AsyncIterable<unknown>): Promise<void> {
    const name = splitEntryName(raw);
    if (name.escapes) return this.warn('refused, path escapes the root', raw);
    if (name.absolute) this.warn('leading / removed', raw);
    const { parts } = name;
    const rel = parts.join('/');
    if (parts.length === 0) {
      // `./` itself: the root directory is ours, its mode does not matter.
      if (header.type !== 'directory') this.warn('refused, names the root itself', raw);
      return;
    }
    const base = parts[parts.length - 1];
    if (base.startsWith(WHITEOUT)) return this.whiteout(raw, parts);

    // tar-stream gives null for type flags it does not know (GNU sparse, ...), whatever its types say.
    const type = header.type as tar.Header['type'] | null;
    if (type === 'character-device' || type === 'block-device' || type === 'fifo') {
      this.t.warnings.special(this.t.layer, rel);
      return;
    }
    if (type !== 'file' && type !== 'contiguous-file' && type !== 'directory' && type !== 'symlink' && type !== 'link') {
      return this.warn('refused, unsupported entry type', raw, `refused, unsupported entry type ${type ?? 'unknown'}`);
    }

    const parents = await this.resolveDirs(parts.slice(0, -1), true);
    if (!parents.ok) return this.warn('refused, parent is a symlink or not a directory', raw, `refused, ${parents.problem}`);
    // Where the entry goes: its real path, which differs from its name below a symlink of this layer.
    const path = [...parents.parts, base].join('/');

    if (type === 'directory') await this.directory(path, header.mode);
    else if (type === 'symlink') await this.symlink(raw, path, header.linkname ?? '');
    else if (type === 'link') await this.hardlink(raw, path, header.linkname ?? '');
    else await this.file(path, header.mode, body);
  }

  private async directory(rel: string, mode: number | undefined): Promise<void> {
    const path = this.host(rel);
    const st = await lstatOrNull(path);
    if (!st?.isDirectory()) {
      if (st) await this.remove(rel);
      await mkdir(path);
    }
    // chmod follows symlinks, but lstat just showed this is a real directory in a checked parent.
    await chmod(path, dirMode(mode));
    this.dirsOk.add(rel);
    this.written.add(rel);
  }

  private async file(rel: string, mode: number | undefined, body: AsyncIterable<unknown>): Promise<void> {
    await this.remove(rel);
    const m = fileMode(mode);
    // O_EXCL|O_NOFOLLOW: the old entry is gone, so this creates a new file or fails; never writes through a link.
    const fh = await open(this.host(rel), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, m);
    try {
      await fh.chmod(m); // the umask may have dropped bits from open's mode
      const chunks = body[Symbol.asyncIterator]();
      while (true) {
        let next: IteratorResult<unknown>;
        try {
          next = await chunks.next();
        } catch (e) {
          // The entry's data stream fails when the tar is cut short or corrupt: a data error, not a write error.
          throw new LayerDataError((e as Error).message);
        }
        if (next.done) break;
        await writeAll(fh, next.value as Buffer);
      }
    } finally {
      await fh.close();
    }
    this.written.add(rel);
  }

  private async symlink(raw: string, rel: string, target: string): Promise<void> {
    if (target === '') return this.warn('refused, symlink with an empty target', raw);
    await this.remove(rel);
    // Stored as is: absolute targets (`/bin -> usr/bin`, `/etc/alternatives/x`) are meant for the
    // image's root and are resolved within the rootfs by whoever reads it.
    await symlink(target, this.host(rel));
    this.written.add(rel);
  }

  private async hardlink(raw: string, rel: string, linkname: string): Promise<void> {
    const t = splitEntryName(linkname);
    if (t.parts.length === 0) return this.warn('refused, hard link to the root', raw, `refused, hard link to ${JSON.stringify(linkname)}`);
    const outside = t.absolute || t.escapes;
    const refuse = (why: string) => this.warn('refused, hard link target not in the rootfs', raw, `refused, hard link to ${linkname}: ${why}`);
    // The target is looked up inside the root only (as Docker's link in its chroot), or the link
    // could name a host file.
    const dirs = await this.resolveDirs(t.parts.slice(0, -1), false);
    if (!dirs.ok) return refuse(dirs.missing ? 'not in the rootfs' : dirs.problem);
    const targetRel = [...dirs.parts, t.parts[t.parts.length - 1]].join('/');
    const st = await lstatOrNull(this.host(targetRel));
    if (!st) return refuse('not in the rootfs');
    if (!st.isFile() && !st.isSymbolicLink()) return refuse('not a regular file');
    if (outside) this.warn('hard link target outside the archive, taken inside the rootfs', raw, `hard link to ${linkname} taken as /${targetRel} inside the rootfs`);
    if (targetRel === rel) return;
    if (targetRel.startsWith(`${rel}/`)) return refuse('inside the entry it would replace');
    await this.remove(rel);
    if (st.isSymbolicLink()) {
      await symlink(await readlink(this.host(targetRel)), this.host(rel));
    } else {
      try {
        await link(this.host(targetRel), this.host(rel));
      } catch (e) {
        // Too many links or a filesystem without hard links: a copy reads the same.
        if (!['EMLINK', 'EPERM', 'EXDEV', 'ENOTSUP'].includes(errCode(e) ?? '')) throw e;
        await copyFile(this.host(targetRel), this.host(rel), constants.COPYFILE_EXCL);
      }
    }
    this.written.add(rel);
  }

  private async whiteout(raw: string, parts: string[]): Promise<void> {
    const dirParts = parts.slice(0, -1);
    const base = parts[parts.length - 1];
    // Docker creates a whiteout's missing directories too (it shows as an empty directory).
    const dirs = await this.resolveDirs(dirParts, true);
    if (!dirs.ok) return this.warn('refused, whiteout through a symlink or non-directory', raw, `refused, ${dirs.problem}`);
    if (base === OPAQUE) return this.hideLower(dirs.parts.join('/'));
    if (base.startsWith(WHITEOUT + WHITEOUT)) return; // other AUFS metadata (.wh..wh.plnk, ...)
    const name = base.slice(WHITEOUT.length);
    if (name === '' || name === '.' || name === '..') return this.warn('refused, invalid whiteout', raw);
    const rel = [...dirs.parts, name].join('/');
    // A whiteout hides lower layers only; an entry of this same layer with that name stays.
    if (!this.written.has(rel)) await this.remove(rel);
  }

  /** Opaque directory: removes everything under `rel` that lower layers put there. */
  private async hideLower(rel: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.host(rel));
    } catch {
      return;
    }
    for (const n of names) {
      const child = rel === '' ? n : `${rel}/${n}`;
      const st = await lstatOrNull(this.host(child));
      if (!st) continue;
      if (st.isDirectory()) {
        await this.hideLower(child);
        if (!this.written.has(child) && (await readdir(this.host(child))).length === 0) await rmdir(this.host(child));
      } else if (!this.written.has(child)) await unlink(this.host(child));
    }
    this.dirsOk.clear();
  }
}

// Feeds the layer bytes to the tar parser, hashing them on the way (the diff id is the digest of
// the uncompressed tar). Backpressure comes from the parser, which waits for entries to be written.
async function feed(src: Readable, extract: tar.Extract, hash: Hash): Promise<void> {
  try {
    for await (const chunk of src) {
      if (extract.destroyed) return;
      hash.update(chunk as Buffer);
      if (!extract.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            extract.off('drain', done);
            extract.off('close', done);
            resolve();
          };
          extract.on('drain', done);
          extract.on('close', done);
        });
      }
    }
    extract.end(undefined);
  } catch (e) {
    extract.destroy(e as Error);
    throw e;
  }
}

/**
 * Applies one uncompressed layer tar onto `t.root` with whiteouts, never writing outside it.
 * Resolves with `sha256:<hex>` of the bytes read (to compare with the config's diff id); throws
 * LayerDataError if the bytes are not a valid tar.
 */
export async function applyLayer(src: Readable, t: LayerTarget): Promise<string> {
  const writer = new LayerWriter(t);
  const extract = tar.extract();
  const hash = createHash('sha256');
  const fed = feed(src, extract, hash).then(
    () => null,
    (e: unknown) => e as Error,
  );
  let writeError: unknown = null;
  let parseError: Error | null = null;
  extract.on('error', (e: Error) => {
    parseError = e;
  });
  try {
    for await (const entry of extract) {
      try {
        await writer.apply(entry.header, entry);
      } catch (e) {
        writeError = e;
        throw e;
      } finally {
        entry.resume(); // skip whatever the writer did not read, or the parser stalls
      }
    }
  } catch (e) {
    extract.destroy();
    src.destroy();
    const feedError = await fed;
    if (writeError && !(writeError instanceof LayerDataError)) throw writeError;
    // A limit of the budget stopped the stream: that, not "corrupt", is what to say.
    if (feedError instanceof InputError) throw feedError;
    // The parser's or decompressor's own error says more than "stream destroyed".
    throw new LayerDataError((feedError ?? parseError ?? (e as Error)).message);
  }
  const feedError = await fed;
  if (feedError instanceof InputError) throw feedError;
  if (feedError) throw new LayerDataError(feedError.message);
  return `sha256:${hash.digest('hex')}`;
}
