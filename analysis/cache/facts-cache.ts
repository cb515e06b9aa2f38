// Per-object facts cached on disk by the file's sha256: facts do not depend on the image, so a
// second image shipping the same libc reuses them.
import { createHash, randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FACTS_VERSION, type ObjectFacts } from '../program/facts.js';

/** sha256 of a file's bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A directory of `<sha256>.json` facts files; undefined dir = no caching. */
export class FactsCache {
  hits = 0;
  constructor(readonly dir: string | undefined) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  /** Cached facts for this hash, if present and written by this analysis version. */
  get(hash: string): ObjectFacts | undefined {
    if (!this.dir) return undefined;
    try {
      const f = JSON.parse(readFileSync(join(this.dir, `${hash}.json`), 'utf8')) as ObjectFacts;
      if (f.version !== FACTS_VERSION || f.sha256 !== hash) return undefined;
      this.hits++;
      return f;
    } catch {
      return undefined;
    }
  }

  /** Stores facts atomically (write then rename), so a crash never leaves a half file. */
  put(facts: ObjectFacts): void {
    if (!this.dir) return;
    const file = join(this.dir, `${facts.sha256}.json`);
    // Unique per writer: worker threads of one process may write the same object at once.
    const tmp = `${file}.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(facts));
    renameSync(tmp, file);
  }
}
