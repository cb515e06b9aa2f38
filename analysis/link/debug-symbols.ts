// Separate debug files, as Debian's -dbg and -dbgsym packages install them
// (/usr/lib/debug/.build-id/ab/cdef….debug): found inside the rootfs by the object's build-id and
// used only when the debug file carries the same build-id, i.e. comes from the same build. Their
// .symtab gives what a stripped object lacks: local function names for paths, and the sizes of local
// data objects that bound where a code pointer is live (program/data-objects.ts). Nothing else of the
// debug file is read, and an object without one is analysed exactly as before.
import { buildId } from '../elf/build-id.js';
import { readElfFile } from '../elf/read.js';
import type { ElfFile, ElfSymbol } from '../elf/types.js';
import { InputError } from '../errors.js';
import { resolveInRootfs, type RootfsFile } from './rootfs.js';

/** The debug file of `elf` inside the rootfs, when one is installed. */
export function debugFileFor(rootfs: string, elf: ElfFile): RootfsFile | undefined {
  if (elf.symtab.length > 0) return undefined;
  const id = buildId(elf);
  if (!id) return undefined;
  try {
    return resolveInRootfs(rootfs, `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`);
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
}

/** Reads a debug file; undefined with a warning when it is unusable (another build, malformed). */
export function readDebugFile(file: RootfsFile, of: ElfFile, warn: (line: string) => void): ElfFile | undefined {
  let debug: ElfFile;
  try {
    debug = readElfFile(file.hostPath, file.rootfsPath);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    warn(`${file.rootfsPath}: debug file of ${of.path} not used: ${e.message}`);
    return undefined;
  }
  if (buildId(debug) !== buildId(of)) {
    warn(`${file.rootfsPath}: debug file of ${of.path} not used: its build-id differs`);
    return undefined;
  }
  return debug;
}

/** A debug file's symbol table, as the facts workers receive it with the object's bytes. */
export interface DebugSymbols {
  symtab: ElfSymbol[];
  from: string;
}

/** `elf` with a debug file's symbol table in place of its missing one. */
export function withDebugSymbols(elf: ElfFile, symbols: DebugSymbols): ElfFile {
  return { ...elf, symtab: symbols.symtab, symbolsFrom: symbols.from };
}
