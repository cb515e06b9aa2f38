// Instructions around an address in an object of an analysed rootfs, with the bytes of each one:
// from the entry of the function holding it when that is known, else from a point found by
// decoding backwards until an instruction boundary lands on the address.
import { createRequire } from 'node:module';
import type * as Iced from 'iced-x86';
import { readElfFile } from '../../analysis/elf/read.js';
import { executableRanges, readVirtual } from '../../analysis/elf/memory.js';
import type { ElfFile } from '../../analysis/elf/types.js';
import { STT_FUNC } from '../../analysis/elf/types.js';
import { resolveInRootfs } from '../../analysis/link/rootfs.js';
import type { DisasmLine, Disassembly } from '../api.js';
import { Lru } from './reports.js';

const iced = createRequire(import.meta.url)('iced-x86') as typeof Iced;
const { Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction, FlowControl } = iced;

/** Longest stretch decoded from a function entry to the asked address. */
const MAX_FUNCTION_BYTES = 256 << 10;
/** Most lines shown before the asked address (the rest of a long function is dropped from the top). */
const MAX_LINES_BEFORE = 400;
const MAX_CONTEXT = 500;
const BACKTRACK_BYTES = 96;

/** The function holding the address, when the caller knows it (from the call graph). */
export interface FunctionHint {
  entry: number;
  name: string;
  /** Entry of the next function (decoding stops there). */
  next?: number;
}

const elfCache = new Lru<string, ElfFile>(4);

function openObject(rootfs: string, object: string): ElfFile {
  const key = `${rootfs}\0${object}`;
  let elf = elfCache.get(key);
  if (!elf) {
    if (!object.startsWith('/')) throw new Error(`${object} has no file in the rootfs (the vDSO is a model, not a file)`);
    const f = resolveInRootfs(rootfs, object);
    elf = readElfFile(f.hostPath, object);
    elfCache.set(key, elf);
  }
  return elf;
}

function symbolAt(elf: ElfFile, addr: number): FunctionHint | undefined {
  let best: FunctionHint | undefined;
  for (const s of [...elf.symtab, ...elf.dynsym]) {
    if (s.type !== STT_FUNC || s.shndx === 0 || s.size <= 0) continue;
    if (s.value <= addr && addr < s.value + s.size && (!best || s.value > best.entry)) best = { entry: s.value, name: s.name, next: s.value + s.size };
  }
  return best;
}

interface Decoded {
  addr: number;
  bytes: Uint8Array;
  text: string;
  target?: number;
}

/** Decodes [start, end) of an executable range; stops early after `stop` returns true. */
function decodeRange(elf: ElfFile, start: number, end: number, stop: (d: Decoded, index: number) => boolean): Decoded[] {
  const bytes = readVirtual(elf, start, end - start);
  if (!bytes) return [];
  const decoder = new Decoder(64, bytes, DecoderOptions.None);
  decoder.ip = BigInt(start);
  const formatter = new Formatter(FormatterSyntax.Intel);
  formatter.firstOperandCharIndex = 8;
  formatter.hexPrefix = '0x';
  formatter.hexSuffix = '';
  formatter.uppercaseHex = false;
  formatter.spaceAfterOperandSeparator = true;
  const ins = new Instruction();
  const out: Decoded[] = [];
  try {
    let pos = 0;
    while (decoder.canDecode) {
      decoder.decodeOut(ins);
      const len = ins.length;
      const d: Decoded = { addr: start + pos, bytes: bytes.subarray(pos, pos + len), text: formatter.format(ins) };
      const fc = ins.flowControl;
      if (fc === FlowControl.Call || fc === FlowControl.UnconditionalBranch || fc === FlowControl.ConditionalBranch) d.target = Number(ins.nearBranchTarget);
      out.push(d);
      pos += len;
      if (stop(d, out.length - 1)) break;
    }
  } finally {
    ins.free();
    formatter.free();
    decoder.free();
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Disassembles around `address` (hex) in `object` of `rootfs`. `names` labels direct branch
 * targets (e.g. from the call graph).
 */
export function disassembleAt(rootfs: string, object: string, address: string, context = 24, hint?: FunctionHint, names?: (target: number) => string | undefined): Disassembly {
  if (typeof address !== 'string' || !/^(0x)?[0-9a-f]{1,16}$/i.test(address)) throw new Error(`not a hexadecimal address: ${JSON.stringify(address)}`);
  const after = Math.max(0, Math.min(MAX_CONTEXT, Number.isInteger(context) ? context : 24));
  const addr = parseInt(address.replace(/^0x/i, ''), 16);
  const elf = openObject(rootfs, object);
  const range = executableRanges(elf).find((r) => r.start <= addr && addr < r.end);
  if (!range) throw new Error(`0x${addr.toString(16)} is not in the code of ${object}`);
  let fn = hint && hint.entry <= addr && addr - hint.entry <= MAX_FUNCTION_BYTES && hint.entry >= range.start ? hint : undefined;
  // A sized symbol starting after the hint is the tighter answer (the hint is only the nearest reached function).
  const sym = symbolAt(elf, addr);
  if (sym && (!fn || sym.entry > fn.entry)) fn = sym;
  // The graph's next function is only the next one it reached: a sized symbol or the unwind
  // table (FDE) of the same function ends it sooner (__mprotect is followed by msync, unreached).
  const fde = elf.fdes.find((f) => f.start <= addr && addr < f.end);
  const ends = [fn?.next, sym && fn && sym.entry === fn.entry ? sym.next : undefined, fde && (!fn || fde.start === fn.entry) ? fde.end : undefined].filter(
    (e): e is number => e !== undefined && e > addr,
  );
  if (fn && ends.length > 0) fn = { ...fn, next: Math.min(...ends) };
  let start: number;
  if (fn) start = fn.entry;
  else {
    // No known entry: the furthest point back from which decoding lands exactly on the address.
    start = addr;
    for (let back = Math.min(BACKTRACK_BYTES, addr - range.start); back > 0; back--) {
      const ds = decodeRange(elf, addr - back, addr + 1, (d) => d.addr >= addr);
      if (ds.length > 0 && ds[ds.length - 1].addr === addr) {
        start = addr - back;
        break;
      }
    }
  }
  const end = Math.min(range.end, fn?.next !== undefined && fn.next > addr ? fn.next : range.end, addr + 16 * (after + 1) + 16);
  let focusIndex = -1;
  const decoded = decodeRange(elf, start, end, (d, i) => {
    if (d.addr === addr) focusIndex = i;
    return focusIndex >= 0 && i - focusIndex >= after;
  });
  if (focusIndex < 0) {
    // The entry did not decode onto the address (data in code, or a wrong entry): start at the address.
    decoded.length = 0;
    decoded.push(...decodeRange(elf, addr, end, (_d, i) => i >= after));
    focusIndex = 0;
    fn = undefined;
  }
  const first = Math.max(0, focusIndex - (fn ? MAX_LINES_BEFORE : after));
  const lines: DisasmLine[] = decoded.slice(first).map((d) => {
    const label = d.target !== undefined ? names?.(d.target) : undefined;
    const line: DisasmLine = { address: d.addr.toString(16), bytes: hex(d.bytes), text: label ? `${d.text} <${label}>` : d.text };
    if (d.addr === addr) line.focus = true;
    return line;
  });
  const out: Disassembly = { object, lines };
  if (fn) out.function = fn.name;
  return out;
}
