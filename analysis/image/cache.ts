// Extracted root filesystems kept by image id: `<cacheDir>/rootfs/<hex>/` holds the tree and
// `<hex>.json` beside it holds the config and warnings. The JSON is written last and doubles as the
// "complete" marker, so a crash mid-extraction never leaves something that looks finished.
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageConfig, OpenedImage } from './types.js';

// Bump when extraction changes what ends up in a rootfs, so older trees are rebuilt.
const CACHE_VERSION = 1;

/** What the marker records about a cached rootfs. */
export interface CacheEntry {
  version: number;
  imageId: string;
  source: OpenedImage['source'];
  config: ImageConfig | null;
  warnings: string[];
}

/** The hex part of an image id (`sha256:<hex>`), safe to use as a directory name. */
export function cacheKey(imageId: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(imageId);
  if (!m) throw new Error(`unexpected image id ${JSON.stringify(imageId)}`);
  return m[1];
}

/** The rootfs cache under one cache directory. */
export class RootfsCache {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'rootfs');
  }

  /** Where the rootfs of this key lives (whether or not it exists yet). */
  rootfsPath(key: string): string {
    return join(this.dir, key);
  }

  private markerPath(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The marker of a complete cached rootfs, or null if there is none (or it is stale). */
  async lookup(key: string): Promise<CacheEntry | null> {
    try {
      const entry = JSON.parse(await readFile(this.markerPath(key), 'utf8')) as CacheEntry;
      if (entry.version !== CACHE_VERSION || cacheKey(entry.imageId) !== key) return null;
      if (!(await stat(this.rootfsPath(key))).isDirectory()) return null;
      return entry;
    } catch {
      return null;
    }
  }

  /** A fresh empty directory on the cache's filesystem, so the finished tree can be renamed into place. */
  async scratch(prefix: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    await this.sweep();
    // The owner's pid in the name lets a later run tell a dead writer's leftovers from live work.
    return mkdtemp(join(this.dir, `.tmp-${prefix}-${process.pid}-`));
  }

  /** Removes scratch trees whose writer died (kill -9 during an extraction), and marker temporaries. */
  private async sweep(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const n of names) {
      const m = /^\.tmp-[^-]+-(\d+)-[A-Za-z0-9]{6}$/.exec(n) ?? /\.json\.(\d+)\.tmp$/.exec(n);
      if (m && !alive(Number(m[1]))) await rm(join(this.dir, n), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Moves a finished tree into place and writes its marker; if another process won the race, keeps theirs. */
  async commit(key: string, tree: string, entry: Omit<CacheEntry, 'version'>): Promise<void> {
    const final = this.rootfsPath(key);
    // A tree without a marker is left over from a crash between the rename and the marker write.
    if (!(await this.lookup(key))) await rm(final, { recursive: true, force: true });
    try {
      await rename(tree, final);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      await rm(tree, { recursive: true, force: true });
    }
    const marker = this.markerPath(key);
    const tmp = `${marker}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: CACHE_VERSION, ...entry }, null, 1));
    await rename(tmp, marker);
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
