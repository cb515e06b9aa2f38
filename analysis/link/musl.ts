// musl's dynamic linker (ldso/dynlink.c), where it differs from glibc's ld.so: the interpreter is
// libc itself, a NEEDED name of one of libc's own parts (libc.so, libc.musl-x86_64.so.1,
// libpthread.so.0, libm.so.6, ...) is that same object, and the search path comes from the path
// file next to the interpreter's prefix (/etc/ld-musl-x86_64.path), else /lib:/usr/local/lib:/usr/lib.
// There is no ld.so.conf, no hwcaps subdirectories, and DT_RUNPATH replaces DT_RPATH but is
// inherited along the chain of loaders like it.
import * as path from 'node:path';
import type { ElfFile } from '../elf/types.js';
import { InputError } from '../errors.js';
import { readRootfsText, resolveInRootfs } from './rootfs.js';
import { statKind } from './probe.js';
import { expandSearchPath, expandDst, type SearchObject, type SearchResult } from './search.js';

const DEFAULT_PATH = ['/lib', '/usr/local/lib', '/usr/lib'];
const LDSO_ARCH = 'x86_64';

// load_library's "reserved" names: lib + one of these + '.' is the implementation itself.
const RESERVED = ['c.', 'pthread.', 'rt.', 'm.', 'dl.', 'util.', 'xnet.'];

/**
 * musl's start-up stages after _dlstart: each is found by name in the libc's own dynamic symbol
 * table (find_sym(&ldso, "__dls2b") in __dls2, "__dls3" in __dls2b) and called through the pointer,
 * so no instruction refers to them. They set up the thread pointer (arch_prctl), the tid
 * (set_tid_address) and load the program's libraries.
 */
export const MUSL_START_STAGES: readonly string[] = ['__dls2b', '__dls3'];

/** Whether an interpreter is a libc that loads programs itself (musl): it defines __libc_start_main, which glibc's ld.so does not. */
export function interpreterIsLibc(elf: ElfFile): boolean {
  return elf.dynsym.some((s) => s.shndx !== 0 && s.name === '__libc_start_main');
}

/** Whether a NEEDED (or dlopen) name is one of libc's own parts, answered by the interpreter. */
export function isReservedName(name: string): boolean {
  return name.startsWith('lib') && RESERVED.some((r) => name.startsWith(r, 3));
}

/** The system path: the path file derived from the interpreter's location, else the default. */
export function muslSystemPath(rootfs: string, interp: string): string[] {
  // dynlink.c: the prefix is the interpreter's path up to its second-to-last slash.
  let prefix = '';
  if (interp.startsWith('/')) {
    const slashes = [...interp].flatMap((c, i) => (c === '/' ? [i] : []));
    prefix = interp.slice(0, slashes.length >= 2 ? slashes[slashes.length - 2] : 0);
  }
  const text = readRootfsText(rootfs, `${prefix}/etc/ld-musl-${LDSO_ARCH}.path`);
  if (text === undefined) return DEFAULT_PATH;
  return text
    .split(/[:\n]/)
    .map((d) => d.trim())
    .filter((d) => d !== '');
}

/** path_open: the first candidate that exists is opened, whatever it is (a non-ELF file then fails to map). */
function openFirst(rootfs: string, name: string, dirs: string[]): SearchResult | undefined {
  for (const dir of dirs) {
    const candidate = path.posix.join(dir.startsWith('/') ? dir : '/' + dir, name);
    try {
      const file = resolveInRootfs(rootfs, candidate);
      if (statKind(file.hostPath) === 'file') return { file, openedAs: candidate };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  return undefined;
}

/** Finds a library for `name` requested by chain[0] the way musl's load_library does. */
export function searchMuslLibrary(rootfs: string, name: string, chain: SearchObject[], systemPath: string[]): SearchResult {
  const requester = chain[0];
  if (name.includes('/')) {
    const p = expandDst(name, requester?.origin ?? '/');
    return openFirst(rootfs, path.posix.basename(p), [path.posix.dirname(p.startsWith('/') ? p : '/' + p)]) ?? { error: 'not found' };
  }
  // Each object of the chain contributes its DT_RUNPATH, or else its DT_RPATH.
  for (const obj of chain) {
    const rp = obj.elf.runpath ?? obj.elf.rpath;
    if (rp === undefined) continue;
    const r = openFirst(rootfs, name, expandSearchPath(rp, obj.origin));
    if (r) return r;
  }
  return openFirst(rootfs, name, systemPath) ?? { error: 'not found' };
}
