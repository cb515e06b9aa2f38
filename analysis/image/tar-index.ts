// A header-only index of a tar file on disk: the name, type and byte range of every member. Image
// tarballs list their manifest after the layers, so the layers cannot be applied in one streaming
// pass; reading headers and then the layers by offset avoids copying hundreds of MB to a scratch dir.
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';

/** One member of a tar file: where its data starts and how long it is. */
export interface TarMember {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  offset: number;
  size: number;
  linkname: string;
}

const BLOCK = 512;
// PAX and GNU long-name records are names and a few numbers; anything larger is not a real header.
const MAX_LONG_HEADER = 1 << 20;

/** Archive member names as paths relative to the archive root (`./a//b/` -> `a/b`); null if it climbs out. */
export function normalizeMemberName(name: string): string | null {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + len ? start + len : end);
}

function parseNumber(buf: Buffer, start: number, len: number): number | null {
  const field = buf.subarray(start, start + len);
  if (field[0] & 0x80) {
    // GNU base-256 for sizes over 8 GiB; only positive values make sense for a size.
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i];
    return field[0] === 0x80 ? v : null;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = parseNumber(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored !== null && (stored === unsigned || stored === signed);
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.toString('latin1', pos, space), 10);
    if (!(len > 0) || pos + len > data.length) break;
    const record = data.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

function memberType(flag: string): TarMember['type'] {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'link';
    default:
      return 'other';
  }
}

/** Reads every header of a tar file; throws InputError naming the file if it is not a tar or is cut short. */
export async function indexTar(file: string): Promise<Map<string, TarMember>> {
  const fh = await open(file, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    const members = new Map<string, TarMember>();
    let pos = 0;
    let longName: string | null = null;
    let longLink: string | null = null;
    let pax: Map<string, string> | null = null;
    let sawEnd = false;
    while (pos + BLOCK <= fileSize) {
      const header = await readAt(fh, pos, BLOCK);
      if (header.every((b) => b === 0)) {
        sawEnd = true;
        break;
      }
      if (!checksumOk(header)) {
        throw new InputError(file, pos === 0 ? 'not a tar archive (no valid tar header at the start)' : `corrupt tar archive: bad header checksum at byte ${pos}`);
      }
      const flag = String.fromCharCode(header[156]);
      let name = cString(header, 0, 100);
      if (header.toString('latin1', 257, 262) === 'ustar' && header[345] !== 0) name = `${cString(header, 345, 155)}/${name}`;
      let size = parseNumber(header, 124, 12);
      if (pax?.has('size')) size = Number(pax.get('size'));
      if (size === null || !Number.isSafeInteger(size) || size < 0) throw new InputError(file, `corrupt tar archive: bad size in the header at byte ${pos}`);
      const dataStart = pos + BLOCK;
      if (dataStart + size > fileSize) {
        throw new InputError(file, `truncated: member ${pax?.get('path') ?? longName ?? name} needs ${size} bytes from byte ${dataStart} but the file ends at byte ${fileSize}`);
      }
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        if (size > MAX_LONG_HEADER) throw new InputError(file, `corrupt tar archive: ${size}-byte extended header at byte ${pos}`);
        const data = await readAt(fh, dataStart, size);
        if (flag === 'x') pax = parsePax(data);
        else if (flag === 'L') longName = cString(data, 0, data.length);
        else if (flag === 'K') longLink = cString(data, 0, data.length);
        // 'g' (global PAX) only carries defaults that do not matter for finding members.
        pos = next;
        continue;
      }
      const fullName = pax?.get('path') ?? longName ?? name;
      const linkname = pax?.get('linkpath') ?? longLink ?? cString(header, 157, 100);
      pax = null;
      longName = null;
      longLink = null;
      const norm = normalizeMemberName(fullName);
      // Members outside the archive root cannot be what a manifest names; skipping them is enough.
      if (norm !== null && norm !== '') {
        members.set(norm, { name: norm, type: memberType(flag), offset: dataStart, size, linkname });
      }
      pos = next;
    }
    if (!sawEnd && pos !== fileSize) {
      throw new InputError(file, pos === 0 ? 'not a tar archive (shorter than one tar header)' : `truncated: the file ends inside a tar header at byte ${pos}`);
    }
    if (members.size === 0) throw new InputError(file, 'empty tar archive');
    return members;
  } finally {
    await fh.close();
  }
}
