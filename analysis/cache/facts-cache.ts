// Per-object facts cached on disk by the file's sha256: facts do not depend on the image, so a
// second image shipping the same libc reuses them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FACTS_VERSION, type ObjectFacts } from '../program/facts.js';
import { writeAtomic } from './atomic-write.js';

/** sha256 of a file's bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A directory of `<sha256>.json` facts files; undefined dir = no caching. */
export class FactsCache {
  hits = 0;
  /** Why the last write failed (the cache is read-only, full ...); the analysis goes on without it. */
  writeError: string | undefined;
  constructor(readonly dir: string | undefined) {}

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

  /** Stores facts atomically (write then rename), so a crash never leaves a half file; returns why it could not. */
  put(facts: ObjectFacts): string | undefined {
    if (!this.dir || this.writeError) return this.writeError;
    this.writeError = writeAtomic(join(this.dir, `${facts.sha256}.json`), JSON.stringify(facts));
    return this.writeError;
  }
}
