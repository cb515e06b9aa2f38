// Every file the analysis reads from an image is read through here: opened without blocking (a FIFO
// or a device in a hostile rootfs must not hang the analysis), checked with fstat to be a regular
// file on the open descriptor itself (no race with a rename), and refused above a size limit
// before a byte is read (/dev/zero, a sparse 1 TiB file).
import * as fs from 'node:fs';
import { InputError } from '../errors.js';
import { LIMITS, LimitError, type LimitName } from './limits.js';

function kindName(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a file cannot be read, as a short phrase (the OS reason, or what kind of file it is). */
export class UnreadableFile extends InputError {
  constructor(
    file: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(file, reason);
    this.name = 'UnreadableFile';
  }
}

function osReason(e: unknown): { reason: string; code?: string } {
  const err = e as NodeJS.ErrnoException;
  const message = err instanceof Error ? err.message : String(e);
  // Node's message repeats the host path; keep only the OS reason so the message names the shown path alone.
  const reason = /^[A-Z0-9_]+: ([^,]+)/.exec(message)?.[1] ?? message;
  return { reason: `cannot read file: ${reason}${err.code ? ` (${err.code})` : ''}`, code: err.code };
}

/** Opens `hostPath` for reading and checks it is a regular file; the caller closes the descriptor. `noFollow`: a final symlink is refused (ELOOP). */
function openRegular(hostPath: string, shown: string, noFollow = false): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(hostPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (noFollow ? fs.constants.O_NOFOLLOW : 0));
  } catch (e) {
    const { reason, code } = osReason(e);
    throw new UnreadableFile(shown, reason, code);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UnreadableFile(shown, `cannot read file: ${kindName(st)}, not a regular file`, 'ENOTREG');
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** The whole file, if it is a regular file of at most the limit's size. */
export function readRegular(hostPath: string, shown: string = hostPath, limit: LimitName = 'fileBytes'): Buffer {
  const { fd, size } = openRegular(hostPath, shown);
  try {
    if (size > LIMITS[limit]) throw new LimitError(shown, limit, `a file of ${size.toLocaleString('en-US')} bytes`);
    const buf = Buffer.alloc(size);
    let off = 0;
    // A file that grows while being read is cut at the size fstat gave; one that shrinks ends early.
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const { reason, code } = osReason(e);
    throw new UnreadableFile(shown, reason, code);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The first `n` bytes of a regular file (fewer when it is shorter). `noFollow` for a path already
 * resolved by the caller inside a container's root, where a final symlink would lead out of it.
 */
export function readRegularHead(hostPath: string, n: number, shown: string = hostPath, opts: { noFollow?: boolean } = {}): Buffer {
  const { fd } = openRegular(hostPath, shown, opts.noFollow);
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } catch (e) {
    const { reason, code } = osReason(e);
    throw new UnreadableFile(shown, reason, code);
  } finally {
    fs.closeSync(fd);
  }
}
