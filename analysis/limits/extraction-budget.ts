// How much one image may write into the cache. Counting happens on the byte streams themselves
// (what is read from the archive, what comes out of decompression), so a decompression bomb is
// stopped while it expands, not after the disk is full. gzip alone expands up to ~1000x, so the
// ratio is only checked once the output is past a floor that no bomb worth stopping stays under.
import { Transform } from 'node:stream';
import { LIMITS, LimitError, MiB } from './limits.js';

/** Output below this is never refused for its ratio (small images of zero-filled files compress extremely well). */
const RATIO_FLOOR = 256 * MiB;

export class ExtractionBudget {
  private read = 0;
  private written = 0;

  /** `label` names the image in the error. */
  constructor(readonly label: string) {}

  /** Counts archive bytes read (compressed, as stored). */
  reading(): Transform {
    return this.counter((n) => {
      this.read += n;
    });
  }

  /** Counts bytes coming out of decompression (what will be written); fails the stream over a limit. */
  writing(): Transform {
    return this.counter((n) => {
      this.written += n;
      this.check();
    });
  }

  /** Throws LimitError when the output is over a limit. */
  check(): void {
    if (this.written > LIMITS.extractedBytes) throw new LimitError(this.label, 'extractedBytes', `extracting ${this.written.toLocaleString('en-US')} bytes`);
    if (this.written > RATIO_FLOOR && this.written > LIMITS.extractionRatio * Math.max(this.read, 1)) {
      throw new LimitError(this.label, 'extractionRatio', `${this.written.toLocaleString('en-US')} bytes extracted from ${this.read.toLocaleString('en-US')} bytes of archive`);
    }
  }

  private counter(add: (n: number) => void): Transform {
    return new Transform({
      transform(chunk: Buffer, _enc, cb) {
        try {
          add(chunk.length);
          cb(null, chunk);
        } catch (e) {
          cb(e as Error);
        }
      },
    });
  }
}
