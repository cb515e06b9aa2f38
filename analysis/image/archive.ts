// Named members of an image archive (docker save or OCI layout), whether it is a directory or a tar
// file: manifests are read whole, layers are streamed.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, realpath, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { decompress, requireSupported, sniffCompression, SNIFF_BYTES } from './compression.js';
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
    private readonly dir: string,
  ) {}

  private path(name: string): string {
    const norm = normalizeMemberName(name);
    if (norm === null || norm === '') throw new InputError(this.label, `${name} is not a path inside the directory`);
    return join(this.dir, norm);
  }

  async has(name: string): Promise<boolean> {
    try {
      return (await stat(this.path(name))).isFile();
    } catch {
      return false;
    }
  }

  private async size(name: string): Promise<number> {
    try {
      const st = await stat(this.path(name));
      if (st.isFile()) return st.size;
    } catch {
      // reported below
    }
    throw new InputError(this.label, `${name} is missing from the directory`);
  }

  async read(name: string, max: number): Promise<Buffer> {
    const size = await this.size(name);
    if (size > max) throw new InputError(this.label, `${name} is ${size} bytes, more than the ${max} expected`);
    return this.head(name, size);
  }

  async head(name: string, n: number): Promise<Buffer> {
    await this.size(name);
    const fh = await open(this.path(name), 'r');
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async open(name: string): Promise<Readable> {
    await this.size(name);
    return createReadStream(this.path(name));
  }

  async close(): Promise<void> {}
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
    try {
      await pipeline(decompress(createReadStream(file), compression), createWriteStream(plain));
    } catch (e) {
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
