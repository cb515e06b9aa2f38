// Named members of an image archive (docker save or OCI layout), whether it is a directory or a tar
// file: manifests are read whole, layers are streamed.
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdtemp, open, realpath, rm, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { decompress, requireSupported, sniffCompression, SNIFF_BYTES, through } from './compression.js';
import { ExtractionBudget } from '../limits/extraction-budget.js';
import { indexTar, normalizeMemberName, type TarMember } from './tar-index.js';

/** Members of an image archive, by path relative to its root. */
export interface Archive {
  /** The tarball or directory as the user named it, for messages. */
  readonly label: string;
  has(member: string): Promise<boolean>;
  /** The whole member; InputError if it is missing or larger than `max`. */
  read(member: string, max: number): Promise<Buffer>;
  /** Up to `n` first bytes of the member. */
  head(member: string, n: number): Promise<Buffer>;
  /** The member as a stream. */
  open(member: string): Promise<Readable>;
  /** Removes scratch files (a decompressed copy of a gzipped tarball). */
  close(): Promise<void>;
}

const MAX_LINK_HOPS = 16;

class TarArchive implements Archive {
  constructor(
    readonly label: string,
    private readonly file: string,
    private readonly members: Map<string, TarMember>,
    private readonly cleanup: () => Promise<void>,
  ) {}

  // docker save stores a layer shared by two images once and links the other name to it.
  private resolve(name: string): TarMember | null {
    let cur: string | null = normalizeMemberName(name);
    for (let hop = 0; hop < MAX_LINK_HOPS && cur !== null; hop++) {
      const m = this.members.get(cur);
      if (!m) return null;
      if (m.type === 'file') return m;
      if (m.type === 'link') cur = normalizeMemberName(m.linkname);
      else if (m.type === 'symlink') cur = normalizeMemberName(m.linkname.startsWith('/') ? m.linkname : posix.join(posix.dirname(cur), m.linkname));
      else return null;
    }
    return null;
  }

  private member(name: string): TarMember {
    const m = this.resolve(name);
    if (!m) throw new InputError(this.label, `${name} is missing from the archive`);
    return m;
  }

  async has(name: string): Promise<boolean> {
    return this.resolve(name) !== null;
  }

  async read(name: string, max: number): Promise<Buffer> {
    const m = this.member(name);
    if (m.size > max) throw new InputError(this.label, `${name} is ${m.size} bytes, more than the ${max} expected`);
    return this.range(m.offset, m.size);
  }

  async head(name: string, n: number): Promise<Buffer> {
    const m = this.member(name);
    return this.range(m.offset, Math.min(n, m.size));
  }

  async open(name: string): Promise<Readable> {
    const m = this.member(name);
    if (m.size === 0) return Readable.from([]);
    return createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1 });
  }

  private async range(offset: number, size: number): Promise<Buffer> {
    const fh = await open(this.file, 'r');
    try {
      const buf = Buffer.alloc(size);
      const { bytesRead } = await fh.read(buf, 0, size, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  close(): Promise<void> {
    return this.cleanup();
  }
}

class DirArchive implements Archive {
  constructor(
    readonly label: string,
    private readonly dir: string, // a real path
  ) {}

  private path(name: string): string {
    const norm = normalizeMemberName(name);
    if (norm === null || norm === '') throw new InputError(this.label, `${name} is not a path inside the directory`);
    return join(this.dir, norm);
  }

  async has(name: string): Promise<boolean> {
    // Only whether something is there: reading it (below) refuses a member that leads outside.
    try {
      return (await stat(this.path(name))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Opens a member for reading. A layout from an untrusted source could hold symlinks to host
   * files (`blobs/sha256/<hex> -> /etc/shadow`, or `blobs -> /`): a member whose real path leaves
   * the directory is an InputError, and the real path is then opened with O_NOFOLLOW.
   */
  private async openMember(name: string): Promise<{ fh: FileHandle; size: number }> {
    const missing = () => new InputError(this.label, `${name} is missing from the directory`);
    let real: string;
    try {
      real = await realpath(this.path(name));
    } catch {
      throw missing();
    }
    const rel = relative(this.dir, real);
    if (rel === '' || rel.split(sep)[0] === '..' || isAbsolute(rel)) {
      throw new InputError(this.label, `${name} leads outside the directory (to ${real}); refusing to read it`);
    }
    // Only regular files: opening a FIFO would block.
    if (!(await lstat(real).catch(() => null))?.isFile()) throw missing();
    const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => {
      throw missing();
    });
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw missing();
    }
    return { fh, size: st.size };
  }

  async read(name: string, max: number): Promise<Buffer> {
    const { fh, size } = await this.openMember(name);
    try {
      if (size > max) throw new InputError(this.label, `${name} is ${size} bytes, more than the ${max} expected`);
      return await readHead(fh, size);
    } finally {
      await fh.close();
    }
  }

  async head(name: string, n: number): Promise<Buffer> {
    const { fh } = await this.openMember(name);
    try {
      return await readHead(fh, n);
    } finally {
      await fh.close();
    }
  }

  async open(name: string): Promise<Readable> {
    const { fh } = await this.openMember(name);
    return fh.createReadStream(); // closes the handle when done
  }

  async close(): Promise<void> {}
}

async function readHead(fh: FileHandle, n: number): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  const { bytesRead } = await fh.read(buf, 0, n, 0);
  return buf.subarray(0, bytesRead);
}

// Errors from the index name the file it read, which may be a scratch copy; the user knows `label`.
async function relabel<T>(p: Promise<T>, label: string, note: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof InputError) throw new InputError(label, `${e.problem}${note}`);
    throw e;
  }
}

/** An image archive laid out as a directory (an OCI layout, or an unpacked docker save). */
export async function directoryArchive(dir: string): Promise<Archive> {
  return new DirArchive(dir, await realpath(dir));
}

/**
 * An image archive in a tar file, gzipped or not. A gzipped one is decompressed once into
 * `scratchDir` because layers are read by offset. `label` names it in errors (default: the file).
 */
export async function tarArchive(file: string, scratchDir: string, label = file): Promise<Archive> {
  const fh = await open(file, 'r');
  let head: Buffer;
  try {
    head = Buffer.alloc(SNIFF_BYTES);
    head = head.subarray(0, (await fh.read(head, 0, SNIFF_BYTES, 0)).bytesRead);
  } finally {
    await fh.close();
  }
  const compression = sniffCompression(head);
  requireSupported(compression, label, 'the tarball');
  if (compression === 'none') return new TarArchive(label, file, await relabel(indexTar(file), label, ''), async () => {});

  const dir = await mkdtemp(join(scratchDir, 'tarball-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const plain = join(dir, 'image.tar');
    const budget = new ExtractionBudget(label);
    try {
      await pipeline(decompress(through(createReadStream(file), budget.reading()), compression), budget.writing(), createWriteStream(plain));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(label, `corrupt or truncated gzip data (${(e as Error).message})`);
    }
    return new TarArchive(label, plain, await relabel(indexTar(plain), label, ' (after gunzip)'), cleanup);
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Largest manifest, index or config we accept: real ones are kilobytes, a hostile one could be anything. */
export const MAX_JSON_BYTES = 16 << 20;

/** A JSON member parsed; InputError naming the archive and member if it is missing or not JSON. */
export async function readJson(a: Archive, member: string): Promise<unknown> {
  const bytes = await a.read(member, MAX_JSON_BYTES);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new InputError(a.label, `${member} is not valid JSON`);
  }
}
