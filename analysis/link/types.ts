import type { ElfFile, ElfRelocation, ElfSymbol } from '../elf/types.js';

/** One object of a loaded program: the executable, a library it needs, or a dlopened one. */
export interface LoadedObject {
  /** Position in the global lookup scope (0 = the executable). */
  index: number;
  /** Absolute path inside the rootfs after resolving symlinks. */
  rootfsPath: string;
  /** Where the analyser reads it. */
  hostPath: string;
  /** How it was asked for (DT_NEEDED string, dlopen name or program path). */
  name: string;
  elf: ElfFile;
  /** Index of the first object that needed it (DT_NEEDED); unset for the executable, a dlopen root and an unneeded ld.so. */
  neededBy?: number;
  /** Set on every object added by addLibrary (the dlopened library and the closure it brought in). */
  dlopened?: boolean;
  /** Set on a library named by a dlopen call: its exports can come back from dlsym. */
  dlopenTarget?: boolean;
  /** The program's PT_INTERP: ld.so, or musl's libc, whose entry point runs before the program's. */
  interpreter?: true;
}

/**
 * A symbol relocation and the definition ld.so binds it to. `to.symbol` normally has shndx != 0; it
 * is an undefined symbol with a non-zero value only when glibc binds a non-PLT reference to the
 * canonical PLT entry of a non-PIE executable (its value is then that PLT stub's address).
 */
export interface Binding {
  /** Index of the object holding the relocation. */
  from: number;
  /** A relocation with symIndex != 0. */
  reloc: ElfRelocation;
  symbol: string;
  /** The version the reference asks for (from verneed, or verdef for a reference to the object's own symbol), if any. */
  version?: string;
  /** Undefined when nothing defines it (e.g. weak undefined). */
  to?: { object: number; symbol: ElfSymbol };
}

/** A program with its libraries loaded and bound, as ld.so would leave it. */
export interface LoadedProgram {
  rootfs: string;
  /** The program path inside the rootfs. */
  program: string;
  objects: LoadedObject[];
  bindings: Binding[];
  /** One line each, e.g. "libfoo.so.1 (needed by /usr/bin/x): not found". */
  warnings: string[];
  /** The loader that runs it, from its interpreter: glibc's ld.so (the default) or musl's libc. */
  libc?: 'glibc' | 'musl';
}

/** Reads and parses one object; the loader calls it once per file so the caller may cache. */
export type OpenElf = (hostPath: string, rootfsPath: string) => ElfFile;
