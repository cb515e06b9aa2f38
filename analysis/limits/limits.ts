// The analysis budget: every quantity hostile input can inflate has one explicit limit here, and
// hitting one ends that piece of work with a one-line error naming the file and the limit (an
// InputError, so the CLI exits 2 and the UI shows the same line). The limits are far above what any
// real Debian program needs (libLLVM, the largest object in Debian 12, has ~1.7 M relocations and
// 120 MiB of text) and low enough that one analysis stays within seconds and ~2 GiB per worker.
import { InputError } from '../errors.js';

export const MiB = 1 << 20;
export const GiB = 1 << 30;

/** The limits, by name; the name is what the error message shows. */
export const LIMITS = {
  /** Bytes of one file read whole (an ELF object, a config file). */
  fileBytes: 1 * GiB,
  /** Bytes of a small text file the loader model reads (ld.so.conf and its includes, nsswitch.conf, passwd). */
  textFileBytes: 16 * MiB,
  /** Relocation entries of one object, over all its relocation sections. */
  relocations: 8_000_000,
  /**
   * Bytes of executable segments of one object (overlaps merged) per byte of the file. A real object
   * maps its text once; the same file bytes mapped at thousands of addresses is an attack on the
   * ~13 bytes of state the code map keeps per executable byte.
   */
  executableCopies: 2,
  /** Nesting of ld.so.conf `include` directives. */
  includeDepth: 16,
  /** Files read through ld.so.conf `include` directives in one analysis (by real path, each once). */
  includeFiles: 4096,
  /** V8 heap of one object-analysis worker. */
  workerHeapBytes: 2 * GiB,
  /** DT_NEEDED entries of one object. */
  neededEntries: 1024,
  /** Bytes written into the cache when one image is extracted. */
  extractedBytes: 64 * GiB,
  /** Ratio of extracted bytes to the bytes of the archive read (a decompression bomb is far above it). */
  extractionRatio: 200,
  /** Analyses running at once in one host (the web host, the app). */
  concurrentJobs: 4,
  /** Characters of one review note. */
  noteChars: 4000,
} as const;

export type LimitName = keyof typeof LIMITS;

/** A limit of the budget was hit: names the file, the limit and its value. */
export class LimitError extends InputError {
  constructor(
    file: string,
    readonly limit: LimitName,
    what: string,
  ) {
    super(file, `${what}: over the analysis limit ${limit} = ${formatLimit(limit)}`);
    this.name = 'LimitError';
  }
}

function formatLimit(name: LimitName): string {
  const v: number = LIMITS[name];
  if (name.endsWith('Bytes')) return v >= GiB ? `${v / GiB} GiB` : `${v / MiB} MiB`;
  return v.toLocaleString('en-US');
}

/** Throws LimitError when `value` is above the limit. */
export function within(file: string, limit: LimitName, value: number, what: string): void {
  if (value > LIMITS[limit]) throw new LimitError(file, limit, what);
}
