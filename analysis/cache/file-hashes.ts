// sha256 of files, remembered by their stat identity (device, inode, size, mtime, ctime) in one
// small JSON file in the cache directory, the way git's index and ccache avoid re-reading files: a
// file that changes changes its stat, so it is hashed again.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { writeAtomic } from './atomic-write.js';

/** sha256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// A file modified twice within one timestamp tick keeps its stat: like git's "racily clean" rule,
// a file changed this recently is hashed but not remembered.
const RACY_MS = 3000;
const FORMAT = 1;

interface Entry {
  id: string;
  sha256: string;
}

/** A (path, stat identity) -> sha256 memo; `file` undefined means nothing persists between runs. */
export class FileHashes {
  private readonly entries = new Map<string, Entry>();
  private dirty = false;

  /** `racyMs`: how old a file's last change must be for its hash to be remembered. */
  constructor(
    private readonly file: string | undefined,
    private readonly racyMs = RACY_MS,
  ) {
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { format: number; entries: [string, string, string][] };
      if (data.format === FORMAT) for (const [p, id, h] of data.entries) this.entries.set(p, { id, sha256: h });
    } catch {
      // Missing or damaged: start empty, it is only a memo.
    }
  }

  /** The stat identity of a file, or undefined when it cannot be stat'ed. Take it before reading the file. */
  identity(path: string): { id: string; recent: boolean } | undefined {
    try {
      const s = statSync(path, { bigint: true });
      const id = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
      const newest = Number((s.ctimeNs > s.mtimeNs ? s.ctimeNs : s.mtimeNs) / 1000000n);
      return { id, recent: Date.now() - newest < this.racyMs };
    } catch {
      return undefined;
    }
  }

  /**
   * sha256 of the file at `path`. `ident` must be taken before `bytes` were read (a change after
   * the stat then shows as a new identity next time); without `bytes` the file is read here.
   */
  hash(path: string, ident = this.identity(path), bytes?: Uint8Array): string | undefined {
    const known = this.entries.get(path);
    if (ident && known && known.id === ident.id && !ident.recent) return known.sha256;
    let data = bytes;
    if (!data) {
      try {
        data = readFileSync(path);
      } catch {
        return undefined;
      }
    }
    const h = sha256(data);
    if (ident && !ident.recent) {
      this.entries.set(path, { id: ident.id, sha256: h });
      this.dirty = true;
    }
    return h;
  }

  /** Writes the memo (atomically) when it learnt something. */
  save(): void {
    if (!this.file || !this.dirty) return;
    // A read-only cache directory only costs re-hashing next time.
    if (writeAtomic(this.file, JSON.stringify({ format: FORMAT, entries: [...this.entries].map(([p, e]) => [p, e.id, e.sha256]) })) === undefined) this.dirty = false;
  }
}
