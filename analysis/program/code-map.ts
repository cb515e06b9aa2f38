// The code map of one object: its executable bytes, each address decoded at most once (functions
// that share code share the records), and per-byte stamps that say which function's CFG holds an
// instruction or starts a block there. Everything that walks code goes through it.
import type { ElfFile } from '../elf/types.js';
import { PT_LOAD, PF_X } from '../elf/types.js';
import { executableRanges } from '../elf/memory.js';
import { X86Decoder, type Insn } from '../x86_64/decoder.js';
import { RangeSet, type Range } from './ranges.js';
import { within } from '../limits/limits.js';

/** The parts of `r` outside every range of `covered` (unsorted, possibly overlapping). */
function uncovered(r: Range, covered: readonly Range[]): Range[] {
  let parts: Range[] = r.end > r.start ? [r] : [];
  for (const c of covered) {
    const next: Range[] = [];
    for (const p of parts) {
      if (c.end <= p.start || c.start >= p.end) next.push(p);
      else {
        if (c.start > p.start) next.push({ start: p.start, end: c.start });
        if (c.end < p.end) next.push({ start: c.end, end: p.end });
      }
    }
    parts = next;
    if (parts.length === 0) break;
  }
  return parts;
}

/** An executable segment: its decoder and its per-byte marks. */
interface Segment {
  start: number;
  end: number;
  dec: X86Decoder;
  /** Per byte: the instruction decoded there (index + 1 into CodeMap.decodedList), 0 when none yet. */
  slots: Int32Array;
  /** Per byte: explored by function discovery. */
  explored: Uint8Array;
  /** Per byte: the number of the function analysis whose CFG holds the instruction starting there. */
  owner: Int32Array;
  /** Per byte: the number of the function analysis for which a basic block starts there. */
  leader: Int32Array;
}

export class CodeMap {
  /** Executable address ranges (sections, else segments): what may hold code. */
  readonly ranges: Range[];
  private readonly exec: RangeSet;
  private readonly segments: Segment[] = [];
  /** Every instruction decoded so far, in decoding order. */
  readonly decodedList: Insn[] = [];

  constructor(elf: ElfFile) {
    this.ranges = executableRanges(elf);
    this.exec = new RangeSet(this.ranges);
    // Each executable address gets its per-byte state once: where segments overlap (a hostile file
    // repeats one text segment thousands of times) the first one holds the address, as before, and
    // later ones only contribute what is not covered yet.
    const covered: Range[] = [];
    let total = 0;
    for (const seg of elf.segments) {
      if (seg.type !== PT_LOAD || (seg.flags & PF_X) === 0 || seg.filesz === 0) continue;
      const n = Math.max(0, Math.min(elf.bytes.length, seg.offset + seg.filesz) - seg.offset);
      for (const piece of uncovered({ start: seg.vaddr, end: seg.vaddr + n }, covered)) {
        const len = piece.end - piece.start;
        total += len;
        within(elf.path, 'executableCopies', total / Math.max(1, elf.bytes.length), `executable segments of ${total.toLocaleString('en-US')} bytes from a file of ${elf.bytes.length.toLocaleString('en-US')}`);
        const off = seg.offset + (piece.start - seg.vaddr);
        const bytes = elf.bytes.subarray(off, off + len);
        this.segments.push({ start: piece.start, end: piece.end, dec: new X86Decoder(bytes, piece.start), slots: new Int32Array(len), explored: new Uint8Array(len), owner: new Int32Array(len), leader: new Int32Array(len) });
      }
      covered.push({ start: seg.vaddr, end: seg.vaddr + n });
    }
    this.segments.sort((a, b) => a.start - b.start);
  }

  /** Whether `addr` lies in executable code. */
  isCode(addr: number): boolean {
    return this.exec.contains(addr);
  }

  private segmentAt(addr: number): Segment | undefined {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid].start <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && addr < segs[hi].end ? segs[hi] : undefined;
  }

  /** The instruction at `addr`, decoded on first use (undefined outside the executable segments). */
  decode(addr: number): Insn | undefined {
    const d = this.segmentAt(addr);
    if (!d) return undefined;
    const k = d.slots[addr - d.start];
    if (k > 0) return this.decodedList[k - 1];
    const ins = d.dec.decode(addr);
    if (ins) {
      this.decodedList.push(ins);
      d.slots[addr - d.start] = this.decodedList.length;
    }
    return ins;
  }

  /** The already decoded instruction at `addr`, if any. */
  decoded(addr: number): Insn | undefined {
    const d = this.segmentAt(addr);
    const k = d ? d.slots[addr - d.start] : 0;
    return k > 0 ? this.decodedList[k - 1] : undefined;
  }

  /** Whether discovery can still explore `addr`: code of a segment, not explored yet. */
  unexplored(addr: number): boolean {
    const d = this.segmentAt(addr);
    return d !== undefined && this.isCode(addr) && d.explored[addr - d.start] === 0;
  }

  /** Marks `addr` explored by discovery; false when it already was (or is outside the code). */
  markExplored(addr: number): boolean {
    const d = this.segmentAt(addr);
    if (!d || d.explored[addr - d.start]) return false;
    d.explored[addr - d.start] = 1;
    return true;
  }

  /** The instruction set of one function analysis, numbered `run` (stamps need no clearing). */
  functionInsns(run: number): FunctionInsns {
    return new FunctionInsns(this, run);
  }

  /** The block starts of one function analysis. */
  leaders(run: number): Leaders {
    return new Leaders(this, run);
  }

  /** @internal stamp access for FunctionInsns and Leaders. */
  stamp(addr: number): Segment | undefined {
    return this.segmentAt(addr);
  }

  /** Releases the decoders' wasm memory; decoded instructions stay readable. */
  free(): void {
    for (const d of this.segments) d.dec.free();
  }
}

/**
 * The instructions of one function's CFG, keyed by address. Membership is a stamp per code byte
 * (the analysis number), not a hash map: functions are analysed one at a time, and this is the
 * hottest lookup of the whole analysis.
 */
export class FunctionInsns {
  /** In the order they were added. */
  readonly list: Insn[] = [];
  constructor(
    private readonly code: CodeMap,
    private readonly run: number,
  ) {}
  has(addr: number): boolean {
    const d = this.code.stamp(addr);
    return d !== undefined && d.owner[addr - d.start] === this.run;
  }
  /** The instruction at `addr` if it is in this CFG (each address has one decoding per object). */
  get(addr: number): Insn | undefined {
    const d = this.code.stamp(addr);
    return d !== undefined && d.owner[addr - d.start] === this.run ? this.code.decodedList[d.slots[addr - d.start] - 1] : undefined;
  }
  /** Adds an instruction the code map decoded. */
  add(ins: Insn): void {
    const d = this.code.stamp(ins.addr)!;
    d.owner[ins.addr - d.start] = this.run;
    this.list.push(ins);
  }
  get size(): number {
    return this.list.length;
  }
}

/** Basic block starts of one function's CFG, stamped per code byte like FunctionInsns. */
export class Leaders {
  private readonly outside = new Set<number>();
  constructor(
    private readonly code: CodeMap,
    private readonly run: number,
  ) {}
  add(addr: number): this {
    const d = this.code.stamp(addr);
    if (d) d.leader[addr - d.start] = this.run;
    else this.outside.add(addr);
    return this;
  }
  has(addr: number): boolean {
    const d = this.code.stamp(addr);
    return d ? d.leader[addr - d.start] === this.run : this.outside.has(addr);
  }
}
