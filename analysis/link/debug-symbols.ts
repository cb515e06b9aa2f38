// Separate debug files, as Debian's -dbg and -dbgsym packages install them
// (/usr/lib/debug/.build-id/ab/cdef….debug): found by the object's build-id inside the rootfs, else in
// the analysing host's debug directories (gdb's debug-file-directory: an image rarely ships -dbg
// packages, the engineer's machine may hold them for the same build), and used only when the debug
// file carries the same build-id, i.e. comes from the same build. Their
// .symtab gives what a stripped object lacks: local function names for paths, and the sizes of local
// data objects that bound where a code pointer is live (program/data-objects.ts). Nothing else of the
// debug file is read, and an object without one is analysed exactly as before.
import { buildId } from '../elf/build-id.js';
import { readElfFile } from '../elf/read.js';
import type { ElfFile, ElfSymbol } from '../elf/types.js';
import { InputError } from '../errors.js';
import { resolveInRootfs, type RootfsFile } from './rootfs.js';

/** The host's debug directories searched after the rootfs, as gdb's default debug-file-directory. */
export const HOST_DEBUG_DIRS: readonly string[] = ['/usr/lib/debug'];

/**
 * The debug file of `elf`, when one is installed: in the rootfs's /usr/lib/debug, then in each host
 * directory (resolved as a root of its own, so its links cannot lead out of it).
 */
export function debugFileFor(rootfs: string, elf: ElfFile, hostDirs: readonly string[] = HOST_DEBUG_DIRS): RootfsFile | undefined {
  if (elf.symtab.length > 0) return undefined;
  const id = buildId(elf);
  if (!id) return undefined;
  const rel = `/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
  for (const [root, p] of [[rootfs, `/usr/lib/debug${rel}`], ...hostDirs.map((d) => [d, rel])]) {
    try {
      const f = resolveInRootfs(root, p);
      return root === rootfs ? f : { hostPath: f.hostPath, rootfsPath: f.hostPath };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  return undefined;
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
