// Per-program results cached on disk, used only when every input that can change them is
// unchanged: the engine's own code, the request (rootfs, program, extra libraries), and every
// file-system observation the loader made, replayed one by one. Those observations include the
// sha256 of every object loaded (dlopen'ed ones too), the contents of every configuration file
// read (ld.so.conf and its includes, nsswitch.conf) and the outcome of every path the library
// search tried, found or not, so a library appearing earlier in the search path is seen.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { writeAtomic } from './atomic-write.js';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probesHold, type Probe } from '../link/probe.js';
import type { FileHashes } from './file-hashes.js';
import { sha256 } from './file-hashes.js';

/** What identifies a request apart from the files it reads. */
export interface ResultKey {
  rootfs: string;
  program: string;
  /** Libraries added as if dlopen'ed (phase 1), in order. */
  libraries: string[];
}

interface Entry<T> {
  engine: string;
  key: ResultKey;
  probes: Probe[];
  result: T;
}

let engineHash: string | undefined;

// Relative module specifiers in compiled code: static imports and `new URL('./worker.js', import.meta.url)`.
const LOCAL_MODULE = /['"](\.\.?\/[^'"\n]+\.js)['"]/g;

/**
 * A hash of the code that computes results: every module the engine entry point (analyze.js)
 * reaches through relative imports or worker URLs, and the decoder package's version. Editing any
 * of them invalidates every cached result; editing unrelated modules does not.
 */
export function engineVersion(): string {
  if (engineHash) return engineHash;
  const entry = fileURLToPath(new URL('../analyze.js', import.meta.url));
  const seen = new Set<string>([entry]);
  const queue = [entry];
  const parts: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    const text = readFileSync(file, 'utf8');
    parts.push(`${relative(dirname(entry), file)}:${sha256(Buffer.from(text))}`);
    for (const m of text.matchAll(LOCAL_MODULE)) {
      const dep = resolve(dirname(file), m[1]);
      if (!seen.has(dep) && existsSync(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  parts.sort();
  const iced = createRequire(import.meta.url)('iced-x86/package.json') as { version: string };
  parts.push(`iced-x86:${iced.version}`);
  engineHash = sha256(Buffer.from(parts.join('\n')));
  return engineHash;
}

/** A directory of `results/<hash of key>.json` entries; undefined dir = no caching. */
export class ResultCache<T> {
  private readonly dir: string | undefined;

  constructor(
    cacheDir: string | undefined,
    private readonly hashes: FileHashes,
  ) {
    this.dir = cacheDir ? join(cacheDir, 'results') : undefined;
  }

  private fileOf(engine: string, key: ResultKey): string {
    return join(this.dir!, `${sha256(Buffer.from(JSON.stringify([engine, key.rootfs, key.program, key.libraries])))}.json`);
  }

  /** The cached result for `key`, if there is one and all its recorded observations still hold. */
  get(key: ResultKey): T | undefined {
    if (!this.dir) return undefined;
    const engine = engineVersion();
    let entry: Entry<T>;
    try {
      entry = JSON.parse(readFileSync(this.fileOf(engine, key), 'utf8')) as Entry<T>;
    } catch {
      return undefined;
    }
    if (entry.engine !== engine || JSON.stringify(entry.key) !== JSON.stringify(key)) return undefined;
    if (!probesHold(entry.probes, (p) => this.hashes.hash(p))) return undefined;
    return entry.result;
  }

  /** Stores a result with the observations it was computed from (atomically: write, then rename). */
  put(key: ResultKey, probes: readonly Probe[], result: T): string | undefined {
    if (!this.dir) return undefined;
    const engine = engineVersion();
    const entry: Entry<T> = { engine, key, probes: [...probes], result };
    return writeAtomic(this.fileOf(engine, key), JSON.stringify(entry));
  }
}
