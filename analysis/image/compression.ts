// Layer and tarball compression, told apart by magic bytes: media types are often wrong
// (docker save writes uncompressed layers under names that suggest gzip, and the reverse happens).
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2';

/** Bytes needed by sniffCompression. */
export const SNIFF_BYTES = 6;

/** The compression of a stream whose first bytes are `head`. */
export function sniffCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  return 'none';
}

/** Throws InputError for compressions Node cannot undo without extra dependencies. */
export function requireSupported(c: Compression, file: string, what: string): void {
  if (c === 'zstd') throw new InputError(file, `${what} is zstd-compressed, which is not supported (re-export the image with gzip or uncompressed layers, e.g. docker save)`);
  if (c === 'xz' || c === 'bzip2') throw new InputError(file, `${what} is ${c}-compressed, which is not supported (only tar and tar+gzip)`);
}

/** `raw` decompressed according to `c` (gzip or none); errors of either stream surface on the result. */
export function decompress(raw: Readable, c: Compression): Readable {
  if (c === 'none') return raw;
  return pipeline(raw, createGunzip(), () => {
    // Errors reach the consumer through the returned stream, which pipeline destroys with them.
  });
}

/** `src` through `t` (a counter), errors of either surfacing on the result, as decompress does. */
export function through(src: Readable, t: NodeJS.ReadWriteStream): Readable {
  return pipeline(src, t, () => {
    // Errors reach the consumer through the returned stream.
  }) as unknown as Readable;
}
