// Every cache file is written the same way: to a temporary file unique to this writer, then renamed
// over the final name, so that readers never see half a file. A cache that cannot be written (a
// read-only or full disk) must never fail the analysis: the write is dropped, its temporary file
// removed, and the caller learns why so it can say once that it goes on uncached.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Writes `data` to `file` atomically; returns undefined on success, else the OS reason (EROFS, ENOSPC ...). */
export function writeAtomic(file: string, data: string | Uint8Array): string | undefined {
  const tmp = `${file}.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    return undefined;
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was created (the directory itself cannot hold files).
    }
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}

/** The warning a report carries when a cache could not be written. */
export function uncachedWarning(dir: string, reason: string): string {
  return `the cache ${dir} cannot be written (${reason}): going on without caching, the next run redoes this work`;
}
