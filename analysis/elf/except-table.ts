// The language-specific data area (LSDA) of GCC's C++ exception handling, in .gcc_except_table:
// per function, a call-site table whose entries name the landing pad the personality routine
// sends the unwinder to (a catch block, a cleanup running destructors). No instruction jumps to a
// landing pad, so this table is the only way to know the code is reachable.
import { readLeb128 } from './leb128.js';
import { readVirtualUpTo } from './memory.js';
import type { ElfFile } from './types.js';

const PE_OMIT = 0xff;
const PE_PCREL = 0x10;
/** An LSDA is small: a bound on how far its tables may reach. */
const MAX_LSDA = 1 << 20;

class Reader {
  pos = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly base: number,
  ) {}
  get done(): boolean {
    return this.pos >= this.b.length;
  }
  u8(): number {
    if (this.pos >= this.b.length) throw new RangeError('past the end');
    return this.b[this.pos++];
  }
  uleb(): number {
    const v = readLeb128(this.b, this, this.b.length, false);
    if (v === undefined) throw new RangeError('bad LEB128');
    return v;
  }
  sleb(): number {
    const v = readLeb128(this.b, this, this.b.length, true);
    if (v === undefined) throw new RangeError('bad LEB128');
    return v;
  }
  private fixed(n: number, signed: boolean): number {
    if (this.pos + n > this.b.length) throw new RangeError('past the end');
    const view = new DataView(this.b.buffer, this.b.byteOffset + this.pos, n);
    this.pos += n;
    if (n === 2) return signed ? view.getInt16(0, true) : view.getUint16(0, true);
    if (n === 4) return signed ? view.getInt32(0, true) : view.getUint32(0, true);
    return view.getUint32(0, true) + (signed ? view.getInt32(4, true) : view.getUint32(4, true)) * 4294967296;
  }
  /** A DW_EH_PE-encoded value; pc-relative ones get the field's address added. */
  encoded(enc: number): number {
    const at = this.base + this.pos;
    let v: number;
    switch (enc & 0x0f) {
      case 0x00:
      case 0x04:
        v = this.fixed(8, false);
        break;
      case 0x0c:
        v = this.fixed(8, true);
        break;
      case 0x01:
        v = this.uleb();
        break;
      case 0x09:
        v = this.sleb();
        break;
      case 0x02:
        v = this.fixed(2, false);
        break;
      case 0x0a:
        v = this.fixed(2, true);
        break;
      case 0x03:
        v = this.fixed(4, false);
        break;
      case 0x0b:
        v = this.fixed(4, true);
        break;
      default:
        throw new RangeError(`encoding ${enc}`);
    }
    if ((enc & 0x70) === PE_PCREL) v += at;
    else if ((enc & 0x70) !== 0) throw new RangeError(`encoding ${enc}`);
    return v;
  }
}

/**
 * The landing pads of the function starting at `funcStart` whose LSDA is at `lsda`; undefined when
 * the LSDA cannot be read (then its landing pads are unknown, and their code is reported uncovered).
 */
export function landingPads(elf: ElfFile, lsda: number, funcStart: number): number[] | undefined {
  const bytes = readVirtualUpTo(elf, lsda, MAX_LSDA);
  if (!bytes) return undefined;
  try {
    const r = new Reader(bytes, lsda);
    const lpEnc = r.u8();
    const lpStart = lpEnc === PE_OMIT ? funcStart : r.encoded(lpEnc);
    const ttEnc = r.u8();
    if (ttEnc !== PE_OMIT) r.uleb();
    const csEnc = r.u8();
    const csLen = r.uleb();
    const end = r.pos + csLen;
    const pads = new Set<number>();
    while (r.pos < end) {
      r.encoded(csEnc); // call-site start
      r.encoded(csEnc); // length
      const lp = r.encoded(csEnc);
      r.uleb(); // action
      if (lp !== 0) pads.add(lpStart + lp);
    }
    return [...pads].sort((a, b) => a - b);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}
