import { InputError } from '../errors.js';

// The data model of a parsed ELF64 little-endian x86-64 object. Addresses are plain numbers:
// x86-64 user-space virtual addresses of shared objects and executables fit in 53 bits.

/** One section header, with its name resolved from .shstrtab. */
export interface ElfSection {
  index: number;
  name: string;
  type: number; // SHT_*
  flags: number; // SHF_* (fits in 32 bits for everything we read)
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

/** One program header. */
export interface ElfSegment {
  type: number; // PT_*
  flags: number; // PF_X=1, PF_W=2, PF_R=4
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

/** A symbol from .dynsym or .symtab, with its GNU version when the object has versioning. */
export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  type: number; // STT_*: 0 NOTYPE, 1 OBJECT, 2 FUNC, 10 GNU_IFUNC, ...
  bind: number; // STB_*: 0 LOCAL, 1 GLOBAL, 2 WEAK, 10 GNU_UNIQUE
  visibility: number; // STV_*
  shndx: number; // 0 = undefined
  /** Version name (e.g. "GLIBC_2.14"); undefined when unversioned or local/global base version. */
  version?: string;
  /** True for a defined symbol whose version is hidden (name@VER, not name@@VER). */
  versionHidden?: boolean;
}

/** One relocation, from RELA tables or expanded from DT_RELR (type R_X86_64_RELATIVE, addend read from the file). */
export interface ElfRelocation {
  offset: number; // r_offset: the virtual address patched
  type: number; // R_X86_64_*
  symIndex: number; // index into dynsym (0 = none)
  addend: number;
  /** Which table it came from. */
  table: 'rela.dyn' | 'rela.plt' | 'relr';
}

/** One .dynamic entry; values that are addresses stay addresses. */
export interface ElfDynamicEntry {
  tag: number; // DT_*
  value: number;
}

/** One note (from PT_NOTE segments or SHT_NOTE sections). */
export interface ElfNote {
  name: string;
  type: number;
  desc: Uint8Array;
}

/** A CIE's personality routine ('P' augmentation): its address, or with `indirect` the data slot (DW.ref.*) holding it. */
export interface ElfPersonality {
  address: number;
  indirect: boolean;
}

/** One FDE from .eh_frame: the code range it covers. */
export interface ElfFde {
  start: number;
  end: number; // exclusive
  /** Address of the function's LSDA (.gcc_except_table), when its CIE has the 'L' augmentation and the FDE names one. */
  lsda?: number;
}

/** A parsed object. Lazy parts are computed on first access by the implementation. */
export interface ElfFile {
  /** The path it was read from (for messages). */
  path: string;
  bytes: Uint8Array;
  type: number; // e_type: 2 EXEC, 3 DYN
  machine: number; // e_machine: 62 x86-64
  entry: number;
  sections: ElfSection[];
  segments: ElfSegment[];
  dynamic: ElfDynamicEntry[];
  /** DT_NEEDED names in order. */
  needed: string[];
  soname?: string;
  rpath?: string;
  runpath?: string;
  /** PT_INTERP content, when present. */
  interp?: string;
  dynsym: ElfSymbol[];
  symtab: ElfSymbol[];
  /** The separate debug file `symtab` was taken from (link/debug-symbols.ts), when the object itself has none. */
  symbolsFrom?: string;
  /** Every dynamic relocation: .rela.dyn, .rela.plt (found via DT_RELA/DT_JMPREL or sections) and RELR expanded. */
  relocations: ElfRelocation[];
  notes: ElfNote[];
  fdes: ElfFde[];
  /** The personality routines .eh_frame's CIEs name: the unwinder calls them through these pointers. */
  personalities: ElfPersonality[];
  /** DT_INIT, DT_FINI and the entries of DT_INIT_ARRAY/FINI_ARRAY/PREINIT_ARRAY (pointer values after relocation, i.e. link-time addresses). */
  initFunctions: number[];
  /** Version definitions (DT_VERDEF) names: e.g. ["libc.so.6", "GLIBC_2.2.5", ...]. */
  versionDefinitions: string[];
}

/** Error for malformed or unsupported input: names the file, the byte offset and the problem. */
export class ElfError extends InputError {
  constructor(
    file: string,
    readonly offset: number,
    problem: string,
  ) {
    super(file, `${problem} (at offset 0x${offset.toString(16)})`);
    this.name = 'ElfError';
  }
}

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const DT_TEXTREL = 22;
export const DT_FLAGS = 30;
export const DF_TEXTREL = 0x4;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_TLS = 0x400;
export const SHT_NOBITS = 8;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const NT_GNU_BUILD_ID = 3;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;
export const R_X86_64_64 = 1;
export const R_X86_64_COPY = 5;
export const R_X86_64_GLOB_DAT = 6;
export const R_X86_64_JUMP_SLOT = 7;
export const R_X86_64_RELATIVE = 8;
export const R_X86_64_IRELATIVE = 37;
