import { InputError } from '../errors.js';
import { readRegular, UnreadableFile } from '../limits/regular-file.js';
import { LIMITS, within } from '../limits/limits.js';
import { readLeb128 } from './leb128.js';
import { AddressMap } from './memory.js';
import {
  ElfError,
  R_X86_64_64,
  R_X86_64_RELATIVE,
  SHF_ALLOC,
  SHT_FINI_ARRAY,
  SHT_INIT_ARRAY,
  SHT_NOBITS,
  SHT_PREINIT_ARRAY,
  type ElfDynamicEntry,
  type ElfFde,
  type ElfFile,
  type ElfNote,
  type ElfPersonality,
  type ElfRelocation,
  type ElfSection,
  type ElfSegment,
  type ElfSymbol,
} from './types.js';

const TWO_32 = 4294967296;

const EM_X86_64 = 62;
const MACHINE_NAMES: Record<number, string> = {
  2: 'SPARC',
  3: 'i386',
  8: 'MIPS',
  18: 'SPARC32PLUS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'S390',
  40: 'ARM',
  42: 'SuperH',
  43: 'SPARC V9',
  50: 'IA-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};
const TYPE_NAMES: Record<number, string> = { 0: 'none', 1: 'relocatable object', 4: 'core dump' };

const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_NOTE = 4;
const PT_GNU_EH_FRAME = 0x6474e550;

const SHT_NULL = 0;
const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_DYNAMIC = 6;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const SHT_RELR = 19;
const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_PLTRELSZ = 2;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_RELA = 7;
const DT_RELASZ = 8;
const DT_RELAENT = 9;
const DT_STRSZ = 10;
const DT_SYMENT = 11;
const DT_INIT = 12;
const DT_FINI = 13;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_PLTREL = 20;
const DT_JMPREL = 23;
const DT_INIT_ARRAY = 25;
const DT_FINI_ARRAY = 26;
const DT_INIT_ARRAYSZ = 27;
const DT_FINI_ARRAYSZ = 28;
const DT_RUNPATH = 29;
const DT_PREINIT_ARRAY = 32;
const DT_PREINIT_ARRAYSZ = 33;
const DT_RELRSZ = 35;
const DT_RELR = 36;
const DT_RELRENT = 37;
const DT_GNU_HASH = 0x6ffffef5;
const DT_VERSYM = 0x6ffffff0;
const DT_VERDEF = 0x6ffffffc;
const DT_VERDEFNUM = 0x6ffffffd;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const RELA_SIZE = 24;
const DYN_SIZE = 16;

const utf8 = new TextDecoder('utf-8');

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Bounds-checked little-endian reads over the whole file; every failure is an ElfError naming the offset. */
class Input {
  readonly view: DataView;
  readonly length: number;
  private scanBudget: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly path: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.length;
    this.scanBudget = 4 * bytes.length + (1 << 20);
  }

  fail(offset: number, problem: string): never {
    throw new ElfError(this.path, Number.isFinite(offset) && offset >= 0 ? offset : 0, problem);
  }

  /** Throws unless [offset, offset+size) lies inside the file. */
  need(offset: number, size: number, what: string): void {
    if (!(offset >= 0 && size >= 0 && offset + size <= this.length)) {
      this.fail(offset, `${what} (${size} bytes) extends past the end of the file (${this.length} bytes)`);
    }
  }

  u8(o: number, what: string): number {
    this.need(o, 1, what);
    return this.bytes[o];
  }

  u16(o: number, what: string): number {
    this.need(o, 2, what);
    return this.view.getUint16(o, true);
  }

  u32(o: number, what: string): number {
    this.need(o, 4, what);
    return this.view.getUint32(o, true);
  }

  /** Unsigned 64-bit value as a Number (rounded above 2^53; such values never pass a bounds check). */
  u64(o: number, what: string): number {
    this.need(o, 8, what);
    return this.view.getUint32(o, true) + this.view.getUint32(o + 4, true) * TWO_32;
  }

  s64(o: number, what: string): number {
    this.need(o, 8, what);
    return this.view.getUint32(o, true) + this.view.getInt32(o + 4, true) * TWO_32;
  }

  /** The NUL-terminated string starting at `o`, which must end before `end`. */
  cstring(o: number, end: number, what: string): string {
    const nul = this.nul(o, end);
    if (nul < 0) this.fail(o, `${what} is not NUL-terminated`);
    return utf8.decode(this.bytes.subarray(o, nul));
  }

  /** Offset of the first NUL in [o, end), or -1. */
  nul(o: number, end: number): number {
    const bytes = this.bytes;
    const limit = Math.min(end, this.length);
    let i = o;
    while (i < limit && bytes[i] !== 0) i++;
    this.charge(o, i - o);
    return i < limit ? i : -1;
  }

  /** Accounts for scanning `n` bytes of strings. */
  charge(at: number, n: number): void {
    // Many names pointing into one long unterminated run would make scanning quadratic; real string
    // tables are read about once over, so a budget of a few times the file size never trips on them.
    this.scanBudget -= n;
    if (this.scanBudget < 0) this.fail(at, 'strings overlap too much (string tables read more than 4 times over)');
  }
}

/** A string table in the file: [offset, offset+size). */
interface StringTable {
  offset: number;
  size: number;
  what: string;
  /** The whole table as one byte-per-char string, decoded on first use: names are then cheap slices. */
  text?: string;
  ascii?: boolean;
}

function tableString(input: Input, table: StringTable, index: number, at: number, what: string): string {
  if (!(index >= 0 && index < table.size)) {
    input.fail(at, `${what}: string table index ${index} out of range (${table.what} has ${table.size} bytes)`);
  }
  let text = table.text;
  if (text === undefined) {
    // latin1 keeps one char per byte, so byte offsets index the string directly.
    text = Buffer.from(input.bytes.buffer, input.bytes.byteOffset + table.offset, table.size).toString('latin1');
    table.text = text;
    table.ascii = !/[\x80-\xff]/.test(text);
  }
  const nul = text.indexOf('\0', index);
  input.charge(at, (nul < 0 ? table.size : nul) - index);
  if (nul < 0) input.fail(at, `${what}: string at index ${index} of ${table.what} is not NUL-terminated`);
  if (table.ascii) return text.slice(index, nul);
  return utf8.decode(input.bytes.subarray(table.offset + index, table.offset + nul));
}

/** Where a table was found: its file offset and byte size. */
interface Extent {
  offset: number;
  size: number;
}

interface Header {
  type: number;
  machine: number;
  entry: number;
  phoff: number;
  phnum: number;
  shoff: number;
  shnum: number;
  shstrndx: number;
}

function readHeader(input: Input): Header {
  const b = input.bytes;
  if (input.length === 0) input.fail(0, 'empty file');
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  for (let i = 0; i < 4; i++) {
    if (i >= input.length) input.fail(0, 'truncated ELF header');
    if (b[i] !== magic[i]) input.fail(0, 'not an ELF file');
  }
  if (input.length < 7) input.fail(0, 'truncated ELF header');
  if (b[4] === 1) input.fail(4, 'unsupported ELF class (32-bit)');
  if (b[4] !== 2) input.fail(4, `invalid ELF class ${b[4]}`);
  if (b[5] === 2) input.fail(5, 'unsupported byte order');
  if (b[5] !== 1) input.fail(5, `invalid ELF data encoding ${b[5]}`);
  if (b[6] !== 1) input.fail(6, `unsupported ELF version ${b[6]}`);
  if (input.length < EHDR_SIZE) input.fail(0, `truncated ELF header (${input.length} bytes, need ${EHDR_SIZE})`);
  const machine = input.u16(18, 'e_machine');
  if (machine !== EM_X86_64) {
    input.fail(18, `unsupported architecture: ${MACHINE_NAMES[machine] ?? 'unknown'} (e_machine ${machine})`);
  }
  const type = input.u16(16, 'e_type');
  if (type !== 2 && type !== 3) {
    input.fail(16, `unsupported ELF type: ${TYPE_NAMES[type] ?? 'unknown'} (e_type ${type})`);
  }
  return {
    type,
    machine,
    entry: input.u64(24, 'e_entry'),
    phoff: input.u64(32, 'e_phoff'),
    shoff: input.u64(40, 'e_shoff'),
    phnum: checkEntSize(input, 54, input.u16(56, 'e_phnum'), PHDR_SIZE, 'program header'),
    shnum: checkEntSize(input, 58, input.u16(60, 'e_shnum'), SHDR_SIZE, 'section header'),
    shstrndx: input.u16(62, 'e_shstrndx'),
  };
}

function checkEntSize(input: Input, at: number, count: number, expected: number, what: string): number {
  const size = input.u16(at, `${what} entry size`);
  if (count !== 0 && size !== expected) input.fail(at, `unexpected ${what} entry size ${size} (expected ${expected})`);
  return count;
}

function readSections(input: Input, h: Header): ElfSection[] {
  if (h.shoff === 0) return [];
  let count = h.shnum;
  let shstrndx = h.shstrndx;
  // Extended numbering: more than 0xff00 sections keep the real count and string index in section 0.
  if (count === 0 || shstrndx === 0xffff) {
    // A stale e_shoff with e_shnum 0 (left by section-stripping tools) just means no sections.
    if (count === 0 && h.shoff + SHDR_SIZE > input.length) return [];
    input.need(h.shoff, SHDR_SIZE, 'section header 0');
    if (count === 0) count = input.u64(h.shoff + 32, 'section header count');
    if (shstrndx === 0xffff) shstrndx = input.u32(h.shoff + 40, 'section name table index');
  }
  if (count === 0) return [];
  input.need(h.shoff, count * SHDR_SIZE, `section header table of ${count} entries`);
  const v = input.view;
  const sections: ElfSection[] = [];
  for (let i = 0; i < count; i++) {
    const o = h.shoff + i * SHDR_SIZE;
    const s: ElfSection = {
      index: i,
      name: '',
      type: v.getUint32(o + 4, true),
      flags: v.getUint32(o + 8, true),
      addr: input.u64(o + 16, 'sh_addr'),
      offset: input.u64(o + 24, 'sh_offset'),
      size: input.u64(o + 32, 'sh_size'),
      link: v.getUint32(o + 40, true),
      info: v.getUint32(o + 44, true),
      addralign: input.u64(o + 48, 'sh_addralign'),
      entsize: input.u64(o + 56, 'sh_entsize'),
    };
    if (s.type !== SHT_NULL && s.type !== SHT_NOBITS) input.need(s.offset, s.size, `section ${i} contents`);
    // An inactive (SHT_NULL) header describes nothing (gABI): whatever extent it claims is not
    // checked, so it is dropped here rather than read by a lookup by name or address later.
    if (s.type === SHT_NULL) {
      s.size = 0;
      s.flags = 0;
    }
    sections.push(s);
  }
  if (shstrndx !== 0) {
    if (shstrndx >= count) input.fail(62, `section name table index ${shstrndx} out of range (${count} sections)`);
    const strs = sections[shstrndx];
    if (strs.type === SHT_NOBITS) input.fail(h.shoff + shstrndx * SHDR_SIZE, 'section name table has no contents');
    const table: StringTable = { offset: strs.offset, size: strs.size, what: 'section name table' };
    for (const s of sections) {
      const at = h.shoff + s.index * SHDR_SIZE;
      s.name = tableString(input, table, v.getUint32(at, true), at, 'section name');
    }
  }
  return sections;
}

function readSegments(input: Input, h: Header): ElfSegment[] {
  let count = h.phnum;
  // PN_XNUM: the real count lives in section 0's sh_info.
  if (count === 0xffff && h.shoff !== 0) count = input.u32(h.shoff + 44, 'program header count in section 0');
  if (count === 0) return [];
  input.need(h.phoff, count * PHDR_SIZE, `program header table of ${count} entries`);
  const v = input.view;
  const segments: ElfSegment[] = [];
  for (let i = 0; i < count; i++) {
    const o = h.phoff + i * PHDR_SIZE;
    const p: ElfSegment = {
      type: v.getUint32(o, true),
      flags: v.getUint32(o + 4, true),
      offset: input.u64(o + 8, 'p_offset'),
      vaddr: input.u64(o + 16, 'p_vaddr'),
      filesz: input.u64(o + 32, 'p_filesz'),
      memsz: input.u64(o + 40, 'p_memsz'),
      align: input.u64(o + 48, 'p_align'),
    };
    if (p.type !== 0 && p.filesz > 0) input.need(p.offset, p.filesz, `segment ${i} contents`);
    segments.push(p);
  }
  return segments;
}

/** The dynamic table plus the first value (and entry offset, for messages) of each tag. */
interface Dynamic {
  entries: ElfDynamicEntry[];
  first: Map<number, { value: number; at: number }>;
  needed: { value: number; at: number }[];
}

function readDynamic(input: Input, segments: ElfSegment[], sections: ElfSection[]): Dynamic {
  const dyn: Dynamic = { entries: [], first: new Map(), needed: [] };
  let extent: Extent | undefined;
  const seg = segments.find((p) => p.type === PT_DYNAMIC);
  if (seg) extent = { offset: seg.offset, size: seg.filesz };
  else {
    const sec = sections.find((s) => s.type === SHT_DYNAMIC);
    if (sec) extent = { offset: sec.offset, size: sec.size };
  }
  if (!extent) return dyn;
  const v = input.view;
  const n = Math.floor(extent.size / DYN_SIZE);
  input.need(extent.offset, n * DYN_SIZE, 'dynamic section');
  for (let i = 0; i < n; i++) {
    const at = extent.offset + i * DYN_SIZE;
    const tag = v.getUint32(at, true) + v.getInt32(at + 4, true) * TWO_32;
    if (tag === DT_NULL) break;
    const value = v.getUint32(at + 8, true) + v.getUint32(at + 12, true) * TWO_32;
    dyn.entries.push({ tag, value });
    if (tag === DT_NEEDED) dyn.needed.push({ value, at });
    if (!dyn.first.has(tag)) dyn.first.set(tag, { value, at });
  }
  return dyn;
}

/** Everything the later stages share. */
interface Ctx {
  input: Input;
  map: AddressMap;
  sections: ElfSection[];
  segments: ElfSegment[];
  dyn: Dynamic;
  dynstr?: StringTable;
  /** String tables by section index, shared so each is decoded once. */
  sectionStrings: Map<number, StringTable>;
}

/** File extent of a table given by a dynamic address tag; the size must be file-backed in one segment. */
function dynTable(ctx: Ctx, tag: number, size: number, what: string): Extent | undefined {
  const e = ctx.dyn.first.get(tag);
  if (!e) return undefined;
  const off = ctx.map.offsetOf(e.value, Math.max(size, 1));
  if (off === undefined) {
    ctx.input.fail(e.at, `${what} at address ${hex(e.value)} (${size} bytes) is not backed by file data`);
  }
  return { offset: off, size };
}

function dynValue(ctx: Ctx, tag: number): number | undefined {
  return ctx.dyn.first.get(tag)?.value;
}

function dynStrings(ctx: Ctx): StringTable {
  if (ctx.dynstr) return ctx.dynstr;
  const e = ctx.dyn.first.get(DT_STRTAB);
  if (!e) return ctx.input.fail(0, 'dynamic section needs strings but has no DT_STRTAB');
  const loc = ctx.map.locate(e.value);
  if (!loc) return ctx.input.fail(e.at, `DT_STRTAB address ${hex(e.value)} is not backed by file data`);
  const strsz = dynValue(ctx, DT_STRSZ);
  if (strsz !== undefined && strsz > loc.available) {
    ctx.input.fail(e.at, `DT_STRSZ ${strsz} extends past the segment holding DT_STRTAB`);
  }
  ctx.dynstr = { offset: loc.offset, size: strsz ?? loc.available, what: 'DT_STRTAB' };
  return ctx.dynstr;
}

function dynString(ctx: Ctx, entry: { value: number; at: number }, what: string): string {
  return tableString(ctx.input, dynStrings(ctx), entry.value, entry.at, what);
}

function sectionStrings(ctx: Ctx, s: ElfSection): StringTable {
  const at = ctx.sections[s.link];
  if (!at || at.type === SHT_NOBITS || s.link === 0) {
    return ctx.input.fail(s.offset, `section ${s.name || s.index} links to invalid string table section ${s.link}`);
  }
  let table = ctx.sectionStrings.get(at.index);
  if (!table) {
    table = { offset: at.offset, size: at.size, what: at.name || `section ${at.index}` };
    ctx.sectionStrings.set(at.index, table);
  }
  return table;
}

function readSymbols(ctx: Ctx, table: Extent, count: number, strings: StringTable): ElfSymbol[] {
  const input: Input = ctx.input;
  if (count > input.length / SYM_SIZE) input.fail(table.offset, `absurd symbol count ${count}`);
  input.need(table.offset, count * SYM_SIZE, `symbol table of ${count} entries`);
  const v = input.view;
  const syms: ElfSymbol[] = new Array<ElfSymbol>(count);
  for (let i = 0; i < count; i++) {
    const o = table.offset + i * SYM_SIZE;
    const info = v.getUint8(o + 4);
    syms[i] = {
      index: i,
      name: tableString(input, strings, v.getUint32(o, true), o, 'symbol name'),
      value: v.getUint32(o + 8, true) + v.getUint32(o + 12, true) * TWO_32,
      size: v.getUint32(o + 16, true) + v.getUint32(o + 20, true) * TWO_32,
      type: info & 0xf,
      bind: info >> 4,
      visibility: v.getUint8(o + 5) & 3,
      shndx: v.getUint16(o + 6, true),
    };
  }
  return syms;
}

function symbolEntrySize(input: Input, s: ElfSection): void {
  if (s.entsize !== 0 && s.entsize !== SYM_SIZE) input.fail(s.offset, `unexpected symbol entry size ${s.entsize}`);
}

/** Number of dynamic symbols when only DT_SYMTAB is known: from DT_HASH's nchain or by walking DT_GNU_HASH. */
function dynamicSymbolCount(ctx: Ctx): number {
  const input: Input = ctx.input;
  const map: AddressMap = ctx.map;
  const hash = ctx.dyn.first.get(DT_HASH);
  if (hash) {
    const off = map.offsetOf(hash.value, 8);
    if (off === undefined) return input.fail(hash.at, `DT_HASH address ${hex(hash.value)} is not backed by file data`);
    return input.u32(off + 4, 'DT_HASH nchain');
  }
  const gnu = ctx.dyn.first.get(DT_GNU_HASH);
  if (gnu) {
    const off = map.offsetOf(gnu.value, 16);
    if (off === undefined) return input.fail(gnu.at, `DT_GNU_HASH address ${hex(gnu.value)} is not backed by file data`);
    const nbuckets = input.u32(off, 'DT_GNU_HASH nbuckets');
    const symoffset = input.u32(off + 4, 'DT_GNU_HASH symoffset');
    const bloomWords = input.u32(off + 8, 'DT_GNU_HASH bloom size');
    const buckets = off + 16 + bloomWords * 8;
    input.need(buckets, nbuckets * 4, 'DT_GNU_HASH buckets');
    let max = 0;
    for (let i = 0; i < nbuckets; i++) max = Math.max(max, input.view.getUint32(buckets + i * 4, true));
    if (max === 0) return symoffset;
    if (max < symoffset) input.fail(buckets, `DT_GNU_HASH bucket ${max} is below symoffset ${symoffset}`);
    // The last chain ends at the highest symbol: follow it to its terminating (odd) entry.
    const chain = buckets + nbuckets * 4;
    let i = max;
    while ((input.u32(chain + (i - symoffset) * 4, 'DT_GNU_HASH chain') & 1) === 0) i++;
    return i + 1;
  }
  // No hash table (unusual): the linker places .dynstr right after .dynsym.
  const symtab = dynValue(ctx, DT_SYMTAB) ?? 0;
  const strtab = dynValue(ctx, DT_STRTAB);
  if (strtab !== undefined && strtab > symtab) return Math.floor((strtab - symtab) / SYM_SIZE);
  return 0;
}

function readDynsym(ctx: Ctx): ElfSymbol[] {
  const sec = ctx.sections.find((s) => s.type === SHT_DYNSYM);
  if (sec) {
    symbolEntrySize(ctx.input, sec);
    return readSymbols(ctx, sec, Math.floor(sec.size / SYM_SIZE), sectionStrings(ctx, sec));
  }
  if (!ctx.dyn.first.has(DT_SYMTAB)) return [];
  const syment = dynValue(ctx, DT_SYMENT);
  if (syment !== undefined && syment !== SYM_SIZE) ctx.input.fail(0, `unexpected DT_SYMENT ${syment}`);
  const count = dynamicSymbolCount(ctx);
  if (count > ctx.input.length / SYM_SIZE) ctx.input.fail(0, `absurd dynamic symbol count ${count}`);
  const table = dynTable(ctx, DT_SYMTAB, count * SYM_SIZE, 'DT_SYMTAB')!;
  return readSymbols(ctx, table, count, dynStrings(ctx));
}

function readSymtab(ctx: Ctx): ElfSymbol[] {
  const sec = ctx.sections.find((s) => s.type === SHT_SYMTAB);
  if (!sec) return [];
  symbolEntrySize(ctx.input, sec);
  return readSymbols(ctx, sec, Math.floor(sec.size / SYM_SIZE), sectionStrings(ctx, sec));
}

/** A versioning table located by its section (with its linked strings) or by dynamic tags. */
function versionTable(ctx: Ctx, shType: number, tag: number, numTag: number, what: string) {
  const sec = ctx.sections.find((s) => s.type === shType);
  if (sec) return { offset: sec.offset, count: sec.info, strings: sectionStrings(ctx, sec) };
  const e = ctx.dyn.first.get(tag);
  if (!e) return undefined;
  const offset = ctx.map.offsetOf(e.value);
  if (offset === undefined) ctx.input.fail(e.at, `${what} address ${hex(e.value)} is not backed by file data`);
  return { offset, count: dynValue(ctx, numTag) ?? 0, strings: dynStrings(ctx) };
}

interface Versions {
  definitions: string[];
  defined: Map<number, string>;
  needed: Map<number, string>;
}

function readVersions(ctx: Ctx): Versions {
  const input: Input = ctx.input;
  const out: Versions = { definitions: [], defined: new Map(), needed: new Map() };
  // Real entries never overlap, so the file size bounds how many a well-formed table can hold.
  let budget = Math.floor(input.length / 8);
  const step = (at: number): void => {
    if (--budget < 0) input.fail(at, 'version table has more entries than the file can hold');
  };
  const verdef = versionTable(ctx, SHT_GNU_VERDEF, DT_VERDEF, DT_VERDEFNUM, 'DT_VERDEF');
  if (verdef) {
    let o = verdef.offset;
    for (let i = 0; i < verdef.count; i++) {
      step(o);
      const ndx = input.u16(o + 4, 'vd_ndx');
      const cnt = input.u16(o + 6, 'vd_cnt');
      const aux = input.u32(o + 12, 'vd_aux');
      const next = input.u32(o + 16, 'vd_next');
      if (cnt > 0) {
        const nameAt = o + aux;
        const name = tableString(input, verdef.strings, input.u32(nameAt, 'vda_name'), nameAt, 'version definition');
        out.definitions.push(name);
        out.defined.set(ndx & 0x7fff, name);
      }
      if (next === 0) break;
      o += next;
    }
  }
  const verneed = versionTable(ctx, SHT_GNU_VERNEED, DT_VERNEED, DT_VERNEEDNUM, 'DT_VERNEED');
  if (verneed) {
    let o = verneed.offset;
    for (let i = 0; i < verneed.count; i++) {
      step(o);
      const cnt = input.u16(o + 2, 'vn_cnt');
      let a = o + input.u32(o + 8, 'vn_aux');
      for (let j = 0; j < cnt; j++) {
        step(a);
        const other = input.u16(a + 6, 'vna_other');
        const name = tableString(input, verneed.strings, input.u32(a + 8, 'vna_name'), a + 8, 'version requirement');
        out.needed.set(other & 0x7fff, name);
        const anext = input.u32(a + 12, 'vna_next');
        if (anext === 0) break;
        a += anext;
      }
      const next = input.u32(o + 12, 'vn_next');
      if (next === 0) break;
      o += next;
    }
  }
  return out;
}

function applyVersions(ctx: Ctx, dynsym: ElfSymbol[], versions: Versions): void {
  if (dynsym.length === 0) return;
  const input: Input = ctx.input;
  let offset: number | undefined;
  const sec = ctx.sections.find((s) => s.type === SHT_GNU_VERSYM);
  if (sec) offset = sec.offset;
  else {
    const e = ctx.dyn.first.get(DT_VERSYM);
    if (!e) return;
    offset = ctx.map.offsetOf(e.value, dynsym.length * 2);
    if (offset === undefined) return input.fail(e.at, `DT_VERSYM at ${hex(e.value)} is not backed by file data`);
  }
  input.need(offset, dynsym.length * 2, `symbol version table of ${dynsym.length} entries`);
  const v = input.view;
  for (const sym of dynsym) {
    const raw = v.getUint16(offset + sym.index * 2, true);
    const idx = raw & 0x7fff;
    // 0 is a local symbol and 1 the object's base version: neither carries a version name.
    if (idx <= 1) continue;
    if (sym.shndx !== 0) {
      sym.version = versions.defined.get(idx) ?? versions.needed.get(idx);
      if (sym.version !== undefined) sym.versionHidden = (raw & 0x8000) !== 0;
    } else {
      sym.version = versions.needed.get(idx) ?? versions.defined.get(idx);
    }
  }
}

function readRela(ctx: Ctx, table: Extent, name: ElfRelocation['table'], out: ElfRelocation[], skip?: Extent): void {
  const input: Input = ctx.input;
  const n = Math.floor(table.size / RELA_SIZE);
  input.need(table.offset, n * RELA_SIZE, `${name} relocation table`);
  within(input.path, 'relocations', out.length + n, `${(out.length + n).toLocaleString('en-US')} relocation entries`);
  const skipFrom = skip ? skip.offset : Infinity;
  const skipTo = skip ? skip.offset + skip.size : -Infinity;
  const base = input.bytes.byteOffset + table.offset;
  if (base % 4 === 0) {
    // Indexed typed-array loads are much cheaper than DataView calls before the JIT warms up.
    const u = new Uint32Array(input.bytes.buffer, base, n * 6);
    const s = new Int32Array(input.bytes.buffer, base, n * 6);
    for (let i = 0, w = 0; i < n; i++, w += 6) {
      const o = table.offset + i * RELA_SIZE;
      if (o >= skipFrom && o < skipTo) continue;
      out.push({
        offset: u[w] + u[w + 1] * TWO_32,
        type: u[w + 2],
        symIndex: u[w + 3],
        addend: u[w + 4] + s[w + 5] * TWO_32,
        table: name,
      });
    }
    return;
  }
  const v = input.view;
  for (let i = 0; i < n; i++) {
    const o = table.offset + i * RELA_SIZE;
    if (o >= skipFrom && o < skipTo) continue;
    out.push({
      offset: v.getUint32(o, true) + v.getUint32(o + 4, true) * TWO_32,
      type: v.getUint32(o + 8, true),
      symIndex: v.getUint32(o + 12, true),
      addend: v.getUint32(o + 16, true) + v.getInt32(o + 20, true) * TWO_32,
      table: name,
    });
  }
}

/**
 * RELR packs RELATIVE relocations as an address word (even) followed by bitmap words (odd) whose
 * bits 1..63 each cover the next 63 words; the addend is whatever the file holds at the target.
 */
function readRelr(ctx: Ctx, table: Extent, out: ElfRelocation[]): void {
  const input: Input = ctx.input;
  const map: AddressMap = ctx.map;
  const n = Math.floor(table.size / 8);
  input.need(table.offset, n * 8, 'relr relocation table');
  const v = input.view;
  let entryAt = table.offset;
  // Every target is a distinct file-backed word, so a real table cannot expand past the file's word count.
  const limit = out.length + Math.floor(input.length / 8);
  const emit = (addr: number): void => {
    if (out.length >= limit) return input.fail(entryAt, 'RELR table expands to more relocations than the file has words');
    if (out.length >= LIMITS.relocations) within(input.path, 'relocations', out.length + 1, 'RELR relocation entries');
    const off = map.offsetOf(addr, 8);
    if (off === undefined) return input.fail(entryAt, `RELR target ${hex(addr)} is not backed by file data`);
    out.push({
      offset: addr,
      type: R_X86_64_RELATIVE,
      symIndex: 0,
      addend: v.getUint32(off, true) + v.getUint32(off + 4, true) * TWO_32,
      table: 'relr',
    });
  };
  let where = 0;
  for (let i = 0; i < n; i++) {
    entryAt = table.offset + i * 8;
    const lo = v.getUint32(entryAt, true);
    const hi = v.getUint32(entryAt + 4, true);
    if ((lo & 1) === 0) {
      where = lo + hi * TWO_32;
      emit(where);
      where += 8;
    } else {
      for (let bit = 1; bit < 64; bit++) {
        const set = bit < 32 ? (lo >>> bit) & 1 : (hi >>> (bit - 32)) & 1;
        if (set) emit(where + (bit - 1) * 8);
      }
      where += 63 * 8;
    }
  }
}

function readRelocations(ctx: Ctx): ElfRelocation[] {
  const input: Input = ctx.input;
  const out: ElfRelocation[] = [];
  if (ctx.dyn.entries.length > 0) {
    const relaent = dynValue(ctx, DT_RELAENT);
    if (relaent !== undefined && relaent !== RELA_SIZE) input.fail(0, `unexpected DT_RELAENT ${relaent}`);
    const pltrel = ctx.dyn.first.get(DT_PLTREL);
    // x86-64 has no REL-format PLT relocations; ld.so would not process them either.
    if (pltrel && pltrel.value !== DT_RELA) input.fail(pltrel.at, `unsupported DT_PLTREL ${pltrel.value}`);
    const plt = dynTable(ctx, DT_JMPREL, dynValue(ctx, DT_PLTRELSZ) ?? 0, 'DT_JMPREL');
    const rela = dynTable(ctx, DT_RELA, dynValue(ctx, DT_RELASZ) ?? 0, 'DT_RELA');
    // Old linkers let DT_RELASZ cover .rela.plt too; those entries are reported once, as PLT ones.
    if (rela) readRela(ctx, rela, 'rela.dyn', out, plt);
    if (plt) readRela(ctx, plt, 'rela.plt', out);
    const relrent = dynValue(ctx, DT_RELRENT);
    if (relrent !== undefined && relrent !== 8) input.fail(0, `unexpected DT_RELRENT ${relrent}`);
    const relr = dynTable(ctx, DT_RELR, dynValue(ctx, DT_RELRSZ) ?? 0, 'DT_RELR');
    if (relr) readRelr(ctx, relr, out);
    return out;
  }
  // Static executables have no dynamic section but still carry IRELATIVE relocations in .rela.plt.
  // Section headers may overlap (a hostile file repeats one table thousands of times): each byte
  // of the file is read as a relocation once. Taken in order of their start, the part of a table
  // below the furthest end so far is inside one earlier table, so skipping it loses nothing.
  const tables = ctx.sections.filter((s) => s.flags & SHF_ALLOC && (s.type === SHT_RELA || s.type === SHT_RELR)).sort((a, b) => a.offset - b.offset || b.size - a.size);
  let coveredTo = -Infinity;
  for (const s of tables) {
    const end = s.offset + s.size;
    if (end <= coveredTo) continue;
    const skip = s.offset < coveredTo ? { offset: s.offset, size: coveredTo - s.offset } : undefined;
    if (s.type === SHT_RELA) readRela(ctx, s, s.name === '.rela.plt' ? 'rela.plt' : 'rela.dyn', out, skip);
    else if (!skip) readRelr(ctx, s, out);
    coveredTo = Math.max(coveredTo, end);
  }
  return out;
}

function readNoteArea(input: Input, area: Extent, align: number, out: ElfNote[]): void {
  const a = align === 8 ? 8 : 4;
  const end = area.offset + area.size;
  let o = area.offset;
  while (o + 12 <= end) {
    const namesz = input.u32(o, 'note namesz');
    const descsz = input.u32(o + 4, 'note descsz');
    const type = input.u32(o + 8, 'note type');
    const nameAt = o + 12;
    const descAt = area.offset + alignUp(nameAt + namesz - area.offset, a);
    const next = area.offset + alignUp(descAt + descsz - area.offset, a);
    if (descAt + descsz > end) input.fail(o, `note (name ${namesz} bytes, desc ${descsz} bytes) extends past its area`);
    let nameEnd = nameAt + namesz;
    while (nameEnd > nameAt && input.bytes[nameEnd - 1] === 0) nameEnd--;
    out.push({
      name: utf8.decode(input.bytes.subarray(nameAt, nameEnd)),
      type,
      desc: input.bytes.subarray(descAt, descAt + descsz),
    });
    o = next;
  }
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

function readNotes(ctx: Ctx): ElfNote[] {
  const out: ElfNote[] = [];
  const segs = ctx.segments.filter((p) => p.type === PT_NOTE && p.filesz > 0);
  if (segs.length > 0) {
    for (const p of segs) readNoteArea(ctx.input, { offset: p.offset, size: p.filesz }, p.align, out);
  } else {
    for (const s of ctx.sections) {
      if (s.type === SHT_NOTE && s.size > 0) readNoteArea(ctx.input, s, s.addralign, out);
    }
  }
  return out;
}

// DW_EH_PE_* pointer encodings used by .eh_frame and .eh_frame_hdr.
const PE_OMIT = 0xff;
const PE_PCREL_SDATA4 = 0x1b;
const PE_INDIRECT = 0x80;
const PE_PCREL = 0x10;
const PE_TEXTREL = 0x20;
const PE_DATAREL = 0x30;
const PE_FUNCREL = 0x40;
const PE_ALIGNED = 0x50;

/** A CFI table in the file: `vaddr` is the link-time address of file offset `offset`. */
interface CfiArea {
  offset: number;
  vaddr: number;
  size: number;
  /** From PT_GNU_EH_FRAME there is no size: the zero terminator ends the table. */
  stopAtTerminator: boolean;
}

/**
 * Reads CFI fields at a moving file offset `pos`, never past `end`; it returns plain numbers and
 * allocates nothing, since libraries hold tens of thousands of FDEs.
 */
class CfiCursor {
  pos = 0;
  end = 0;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(
    private readonly input: Input,
    private readonly map: AddressMap,
    private readonly area: CfiArea,
    private readonly textBase: number,
    private readonly dataBase: number,
  ) {
    this.bytes = input.bytes;
    this.view = input.view;
  }

  fail(problem: string, at = this.pos): never {
    return this.input.fail(at, problem);
  }

  private take(n: number): number {
    const at = this.pos;
    if (at + n > this.end) this.fail(`field of ${n} bytes extends past its CFI entry`);
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.bytes[this.take(1)];
  }

  uleb(): number {
    return readLeb128(this.bytes, this, this.end, false) ?? this.fail('overlong or truncated LEB128 value in .eh_frame');
  }

  sleb(): number {
    return readLeb128(this.bytes, this, this.end, true) ?? this.fail('overlong or truncated LEB128 value in .eh_frame');
  }

  /** The value part of an encoded pointer, without any base applied. */
  raw(enc: number): number {
    const v = this.view;
    switch (enc & 0x0f) {
      case 0x00:
      case 0x04: {
        const o = this.take(8);
        return v.getUint32(o, true) + v.getUint32(o + 4, true) * TWO_32;
      }
      case 0x0c: {
        const o = this.take(8);
        return v.getUint32(o, true) + v.getInt32(o + 4, true) * TWO_32;
      }
      case 0x01:
        return this.uleb();
      case 0x09:
        return this.sleb();
      case 0x02:
        return v.getUint16(this.take(2), true);
      case 0x0a:
        return v.getInt16(this.take(2), true);
      case 0x03:
        return v.getUint32(this.take(4), true);
      case 0x0b:
        return v.getInt32(this.take(4), true);
      default:
        return this.fail(`unsupported pointer encoding ${hex(enc)}`);
    }
  }

  /** An encoded pointer with its base applied; `deref` follows DW_EH_PE_indirect through the file. */
  pointer(enc: number, deref: boolean): number {
    const area = this.area;
    if ((enc & 0x70) === PE_ALIGNED) {
      const at = area.vaddr + (this.pos - area.offset);
      this.pos += alignUp(at, 8) - at;
    }
    const fieldAddr = area.vaddr + (this.pos - area.offset);
    let value = this.raw(enc);
    switch (enc & 0x70) {
      case 0:
      case PE_ALIGNED:
      case PE_FUNCREL:
        break;
      case PE_PCREL:
        value += fieldAddr;
        break;
      case PE_TEXTREL:
        value += this.textBase;
        break;
      case PE_DATAREL:
        value += this.dataBase;
        break;
      default:
        return this.fail(`unsupported pointer encoding ${hex(enc)}`);
    }
    if (deref && enc & PE_INDIRECT) {
      const off = this.map.offsetOf(value, 8);
      if (off === undefined) return this.fail(`indirect pointer to ${hex(value)} is not backed by file data`);
      value = this.view.getUint32(off, true) + this.view.getUint32(off + 4, true) * TWO_32;
    }
    return value;
  }
}

/** What an FDE needs from its CIE: its pointer encoding, and whether FDEs carry augmentation data with an LSDA pointer. */
interface CieInfo {
  fdeEncoding: number;
  /** 'z': FDEs start with an augmentation data length. */
  augmented: boolean;
  /** 'L': the LSDA pointer's encoding (PE_OMIT when absent). */
  lsdaEncoding: number;
  /** 'P': where the personality routine is named (the routine, or with `indirect` the data slot holding it). */
  personality?: ElfPersonality;
}

/** Parses the CIE at file offset `at` for the pointer encodings its FDEs use. */
function readCie(c: CfiCursor, input: Input, at: number, areaEnd: number): CieInfo {
  let len = input.u32(at, 'CIE length');
  let o = at + 4;
  let idSize = 4;
  if (len === 0xffffffff) {
    len = input.u64(o, 'CIE 64-bit length');
    o += 8;
    idSize = 8;
  }
  const end = o + len;
  if (len < idSize || end > areaEnd) input.fail(at, `CIE (${len} bytes) extends past .eh_frame`);
  const id = idSize === 4 ? input.u32(o, 'CIE id') : input.u64(o, 'CIE id');
  if (id !== 0) input.fail(at, 'FDE points to an entry that is not a CIE');
  c.pos = o + idSize;
  c.end = end;
  const version = c.u8();
  if (version !== 1 && version !== 3 && version !== 4) c.fail(`unsupported CIE version ${version}`, c.pos - 1);
  const augAt = c.pos;
  const aug = input.cstring(augAt, end, 'CIE augmentation string');
  c.pos += aug.length + 1;
  // Only "z" augmentations describe the FDE pointer encoding; without one, FDE pointers are absolute.
  if (aug[0] !== 'z') return { fdeEncoding: 0, augmented: false, lsdaEncoding: PE_OMIT };
  if (version === 4) c.pos += 2; // address_size, segment_selector_size
  c.uleb(); // code alignment factor
  c.sleb(); // data alignment factor
  if (version === 1) c.u8();
  else c.uleb(); // return address register
  const augLen = c.uleb();
  if (c.pos + augLen > end) c.fail('CIE augmentation data extends past the CIE');
  c.end = c.pos + augLen;
  let fdeEncoding = 0;
  let lsdaEncoding = PE_OMIT;
  let personality: ElfPersonality | undefined;
  for (let i = 1; i < aug.length; i++) {
    const ch = aug[i];
    if (ch === 'R') fdeEncoding = c.u8();
    else if (ch === 'P') {
      const enc = c.u8();
      if (enc !== PE_OMIT) personality = { address: c.pointer(enc, false), indirect: (enc & PE_INDIRECT) !== 0 };
    } else if (ch === 'L') lsdaEncoding = c.u8();
    // Unknown letters carry data we cannot size; 'R' normally comes before them anyway.
    else if (ch !== 'S' && ch !== 'B' && ch !== 'G') break;
  }
  if (fdeEncoding === PE_OMIT) input.fail(at, 'CIE gives its FDEs an omitted pointer encoding');
  return { fdeEncoding, augmented: true, lsdaEncoding, ...(personality ? { personality } : {}) };
}

function locateEhFrame(ctx: Ctx): CfiArea | undefined {
  const input: Input = ctx.input;
  const sec = ctx.sections.find((s) => s.name === '.eh_frame' && s.type !== SHT_NOBITS && s.size > 0);
  if (sec) return { offset: sec.offset, vaddr: sec.addr, size: sec.size, stopAtTerminator: false };
  const hdrSeg = ctx.segments.find((p) => p.type === PT_GNU_EH_FRAME);
  if (!hdrSeg || hdrSeg.filesz < 4) return undefined;
  const h = hdrSeg.offset;
  const version = input.u8(h, '.eh_frame_hdr version');
  if (version !== 1) input.fail(h, `unsupported .eh_frame_hdr version ${version}`);
  const enc = input.u8(h + 1, '.eh_frame_hdr eh_frame_ptr encoding');
  if (enc === PE_OMIT) return undefined;
  const hdr: CfiArea = { offset: h, vaddr: hdrSeg.vaddr, size: hdrSeg.filesz, stopAtTerminator: true };
  // In .eh_frame_hdr, DW_EH_PE_datarel is relative to the header itself.
  const c = new CfiCursor(input, ctx.map, hdr, 0, hdrSeg.vaddr);
  c.pos = h + 4;
  c.end = h + hdrSeg.filesz;
  const ptr = c.pointer(enc, true);
  const loc = ctx.map.locate(ptr);
  if (!loc) return input.fail(h + 4, `.eh_frame address ${hex(ptr)} is not backed by file data`);
  return { offset: loc.offset, vaddr: ptr, size: loc.available, stopAtTerminator: true };
}

function readFdes(ctx: Ctx, personalities: ElfPersonality[]): ElfFde[] {
  const input: Input = ctx.input;
  const area = locateEhFrame(ctx);
  if (!area) return [];
  const textBase = ctx.sections.find((s) => s.name === '.text')?.addr ?? 0;
  // The LSB makes .eh_frame's DW_EH_PE_datarel relative to .got.
  const gotBase = ctx.sections.find((s) => s.name === '.got')?.addr ?? 0;
  const c = new CfiCursor(input, ctx.map, area, textBase, gotBase);
  const v = input.view;
  const areaEnd = area.offset + area.size;
  const cies = new Map<number, CieInfo>();
  const fdes: ElfFde[] = [];
  let o = area.offset;
  while (o + 4 <= areaEnd) {
    const start = o;
    let len = v.getUint32(o, true);
    o += 4;
    if (len === 0) {
      if (area.stopAtTerminator) break;
      continue;
    }
    let idSize = 4;
    if (len === 0xffffffff) {
      len = input.u64(o, 'CFI entry 64-bit length');
      o += 8;
      idSize = 8;
    }
    const end = o + len;
    if (end > areaEnd || len < idSize) input.fail(start, `CFI entry (${len} bytes) extends past .eh_frame`);
    const idAt = o;
    const id = idSize === 4 ? v.getUint32(o, true) : input.u64(o, 'CIE pointer');
    if (id !== 0) {
      const cieAt = idAt - id;
      if (cieAt < area.offset) input.fail(idAt, `FDE's CIE pointer ${hex(id)} points before .eh_frame`);
      let cie = cies.get(cieAt);
      if (cie === undefined) {
        cie = readCie(c, input, cieAt, areaEnd);
        cies.set(cieAt, cie);
        if (cie.personality && !personalities.some((p) => p.address === cie!.personality!.address)) personalities.push(cie.personality);
      }
      const enc = cie.fdeEncoding;
      const at = idAt + idSize;
      let begin: number;
      let range: number;
      c.end = end;
      if (enc === PE_PCREL_SDATA4 && at + 8 <= end) {
        // What GCC and Clang emit on x86-64: worth skipping the general decoder for.
        begin = area.vaddr + (at - area.offset) + v.getInt32(at, true);
        range = v.getInt32(at + 4, true);
        c.pos = at + 8;
      } else {
        c.pos = at;
        begin = c.pointer(enc, true);
        range = c.raw(enc & 0x0f);
      }
      const fde: ElfFde = { start: begin, end: begin + range };
      if (cie.augmented && cie.lsdaEncoding !== PE_OMIT) {
        // The LSDA names the landing pads the unwinder enters (catch blocks, cleanups). A malformed
        // one leaves them unnamed: their bytes are then reported as code nothing covers.
        try {
          c.uleb(); // augmentation data length
          const lsda = c.pointer(cie.lsdaEncoding, true);
          if (lsda !== 0) fde.lsda = lsda;
        } catch (e) {
          if (!(e instanceof ElfError)) throw e;
        }
      }
      fdes.push(fde);
    }
    o = end;
  }
  return fdes;
}

// -1 (as a signed addend, or 2^64 once an unsigned 64-bit word becomes a Number) marks an unused slot.
const ALL_ONES = -1;
const ALL_ONES_UNSIGNED = 2 ** 64;

function readInitFunctions(ctx: Ctx, relocations: ElfRelocation[], dynsym: ElfSymbol[]): number[] {
  const input: Input = ctx.input;
  const map: AddressMap = ctx.map;
  const direct: number[] = [];
  const arrays: { addr: number; size: number; at: number; what: string }[] = [];
  if (ctx.dyn.entries.length > 0) {
    for (const tag of [DT_INIT, DT_FINI]) {
      const v = dynValue(ctx, tag);
      if (v !== undefined) direct.push(v);
    }
    const pairs: [number, number, string][] = [
      [DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ, 'DT_PREINIT_ARRAY'],
      [DT_INIT_ARRAY, DT_INIT_ARRAYSZ, 'DT_INIT_ARRAY'],
      [DT_FINI_ARRAY, DT_FINI_ARRAYSZ, 'DT_FINI_ARRAY'],
    ];
    for (const [tag, sizeTag, what] of pairs) {
      const e = ctx.dyn.first.get(tag);
      if (e) arrays.push({ addr: e.value, size: dynValue(ctx, sizeTag) ?? 0, at: e.at, what });
    }
  } else {
    // Static executables: crt code finds these through linker-defined symbols bounding the sections.
    for (const s of ctx.sections) {
      if (!(s.flags & SHF_ALLOC)) continue;
      if ((s.name === '.init' || s.name === '.fini') && s.size > 0) direct.push(s.addr);
      if (s.type === SHT_INIT_ARRAY || s.type === SHT_FINI_ARRAY || s.type === SHT_PREINIT_ARRAY) {
        arrays.push({ addr: s.addr, size: s.size, at: s.offset, what: s.name || `section ${s.index}` });
      }
    }
  }
  const slots = new Map<number, number | undefined>();
  for (const a of arrays) {
    const count = Math.floor(a.size / 8);
    if (count > 0 && map.offsetOf(a.addr, count * 8) === undefined) {
      input.fail(a.at, `${a.what} at ${hex(a.addr)} (${a.size} bytes) is not backed by file data`);
    }
    for (let i = 0; i < count; i++) slots.set(a.addr + i * 8, undefined);
  }
  if (slots.size > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of slots.keys()) {
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
    }
    for (const r of relocations) {
      if (r.offset < lo || r.offset > hi || !slots.has(r.offset)) continue;
      if (r.type === R_X86_64_RELATIVE) slots.set(r.offset, r.addend);
      else if (r.type === R_X86_64_64) {
        const sym = dynsym[r.symIndex];
        // An undefined symbol's address is only known at run time; the slot holds no usable value.
        slots.set(r.offset, sym && sym.shndx !== 0 ? sym.value + r.addend : 0);
      }
    }
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const add = (v: number): void => {
    if (v !== 0 && v !== ALL_ONES && v !== ALL_ONES_UNSIGNED && !seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  };
  for (const v of direct) add(v);
  for (const [addr, relocated] of slots) {
    if (relocated !== undefined) {
      add(relocated);
      continue;
    }
    const off = map.offsetOf(addr, 8)!;
    const lo = input.view.getUint32(off, true);
    const hi = input.view.getUint32(off + 4, true);
    add(lo + hi * TWO_32);
  }
  return out;
}

function readInterp(input: Input, segments: ElfSegment[]): string | undefined {
  const p = segments.find((s) => s.type === PT_INTERP);
  if (!p) return undefined;
  let end = p.offset + p.filesz;
  while (end > p.offset && input.bytes[end - 1] === 0) end--;
  return utf8.decode(input.bytes.subarray(p.offset, end));
}

function parse(input: Input): ElfFile {
  const h = readHeader(input);
  // Program headers first: they are what the kernel and ld.so use, so their problems are reported first.
  const segments = readSegments(input, h);
  const sections = readSections(input, h);
  const ctx: Ctx = {
    input,
    map: new AddressMap(segments, input.length),
    sections,
    segments,
    dyn: readDynamic(input, segments, sections),
    sectionStrings: new Map(),
  };
  const optionalString = (tag: number, what: string): string | undefined => {
    const e = ctx.dyn.first.get(tag);
    return e ? dynString(ctx, e, what) : undefined;
  };
  within(ctx.input.path, 'neededEntries', ctx.dyn.needed.length, `${ctx.dyn.needed.length.toLocaleString('en-US')} DT_NEEDED entries`);
  const needed = ctx.dyn.needed.map((e) => dynString(ctx, e, 'DT_NEEDED'));
  const soname = optionalString(DT_SONAME, 'DT_SONAME');
  const rpath = optionalString(DT_RPATH, 'DT_RPATH');
  const runpath = optionalString(DT_RUNPATH, 'DT_RUNPATH');
  const dynsym = readDynsym(ctx);
  const versions = readVersions(ctx);
  applyVersions(ctx, dynsym, versions);
  const relocations = readRelocations(ctx);
  const personalities: ElfPersonality[] = [];
  return {
    path: input.path,
    bytes: input.bytes,
    type: h.type,
    machine: h.machine,
    entry: h.entry,
    sections,
    segments,
    dynamic: ctx.dyn.entries,
    needed,
    soname,
    rpath,
    runpath,
    interp: readInterp(input, segments),
    dynsym,
    symtab: readSymtab(ctx),
    relocations,
    notes: readNotes(ctx),
    fdes: readFdes(ctx, personalities),
    personalities,
    initFunctions: readInitFunctions(ctx, relocations, dynsym),
    versionDefinitions: versions.definitions,
  };
}

/** Parses an ELF64 little-endian x86-64 executable or shared object; any malformation is an ElfError. */
export function parseElf(bytes: Uint8Array, path: string): ElfFile {
  try {
    return parse(new Input(bytes, path));
  } catch (e) {
    if (e instanceof InputError) throw e;
    // A reader bug on odd input must still surface as bad input naming the file, not crash the run.
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new ElfError(path, 0, `malformed ELF (internal error: ${detail})`);
  }
}

/** Reads and parses the file at hostPath; messages name displayPath (e.g. the path inside a rootfs) when given. */
export function readElfFile(hostPath: string, displayPath?: string): ElfFile {
  const shown = displayPath ?? hostPath;
  let buf: Buffer;
  try {
    // Regular files only, never blocking (a FIFO or /dev/zero in a hostile rootfs), size-limited.
    buf = readRegular(hostPath, shown);
  } catch (e) {
    if (e instanceof UnreadableFile) throw new ElfError(shown, 0, e.reason);
    throw e;
  }
  return parseElf(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), shown);
}
