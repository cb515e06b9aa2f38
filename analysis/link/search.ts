import * as path from 'node:path';
import { within } from '../limits/limits.js';
import type { ElfFile } from '../elf/types.js';
import { InputError } from '../errors.js';
import { globInRootfs, readRootfsText, resolveInRootfs, type RootfsFile } from './rootfs.js';
import { activeLog, readHead, statKind } from './probe.js';

// The library search of glibc 2.36's ld.so (elf/dl-load.c: _dl_map_object), run against a rootfs
// instead of the live filesystem. The ld.so.cache lookup is modelled by the directories of
// /etc/ld.so.conf that ldconfig builds the cache from; LD_LIBRARY_PATH and LD_PRELOAD are not
// modelled because the analysed program's environment is unknown.

/** ld.so's trusted system directories on Debian 12 x86-64, as printed by LD_DEBUG=libs ("system search path"). */
export const SYSTEM_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib'];

/** What $LIB and $PLATFORM expand to on Debian 12 x86-64 (checked with LD_DEBUG=libs). */
export const DST_LIB = 'lib/x86_64-linux-gnu';
export const DST_PLATFORM = 'x86_64';

// ld.so tries these subdirectories of every search directory before the directory itself. The
// glibc-hwcaps ones it picks depend on the CPU; the analysed program may run on any x86-64, so the
// most capable level present wins here (a v4 build is one an AVX-512 machine would load).
const HWCAPS_SUBDIRS = [
  'glibc-hwcaps/x86-64-v4',
  'glibc-hwcaps/x86-64-v3',
  'glibc-hwcaps/x86-64-v2',
  'tls/x86_64/x86_64',
  'tls/x86_64',
  'tls',
  'x86_64/x86_64',
  'x86_64',
];

const DT_FLAGS_1 = 0x6ffffffb;
const DF_1_NODEFLIB = 0x800;

/** One object of the chain a search is made for: the requester first, then its loaders up to the executable. */
export interface SearchObject {
  elf: ElfFile;
  /** The directory $ORIGIN expands to: where the object was found in the rootfs. */
  origin: string;
}

/** A search's outcome: the file found, or why nothing was. */
export interface SearchResult {
  file?: RootfsFile;
  /** The in-rootfs path ld.so opened (before symlinks are resolved): its directory is the object's $ORIGIN. */
  openedAs?: string;
  /** Set when nothing usable was found: "not found" or the reason ld.so would give up. */
  error?: string;
}

/** Expands $ORIGIN, $LIB and $PLATFORM (bare or braced) as ld.so does in DT_NEEDED, DT_RPATH and DT_RUNPATH strings. */
export function expandDst(s: string, origin: string): string {
  return s.replace(/\$(?:\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)(?![A-Za-z0-9_]))/g, (_m, braced?: string, bare?: string) => {
    const name = braced ?? bare;
    if (name === 'ORIGIN') return origin;
    if (name === 'LIB') return DST_LIB;
    return DST_PLATFORM;
  });
}

/** Splits a DT_RPATH/DT_RUNPATH value into expanded absolute directories (relative entries are taken from the rootfs root). */
export function expandSearchPath(value: string, origin: string): string[] {
  return value
    .split(':')
    .filter((d) => d !== '')
    .map((d) => normalizeDir(expandDst(d, origin)));
}

function normalizeDir(d: string): string {
  const n = path.posix.normalize(d.startsWith('/') ? d : '/' + d);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** The library directories /etc/ld.so.conf of the rootfs lists, includes expanded, in order, without duplicates; kept for the active probe log. */
export function ldSoConfDirs(rootfs: string): string[] {
  // Cached per probe log, not per process: the files it derives from are recorded in that log
  // only, and a long-running process must see an edited ld.so.conf in its next analysis.
  const log = activeLog();
  const key = `ld.so.conf\0${rootfs}`;
  const cached = log?.derived.get(key) as string[] | undefined;
  if (cached) return cached;
  const dirs: string[] = [];
  parseLdSoConf(rootfs, '/etc/ld.so.conf', dirs, new Set(), 0);
  const unique = [...new Set(dirs)];
  log?.derived.set(key, unique);
  return unique;
}

/** One meaningful line of ld.so.conf: a library directory or an include glob. */
export type LdSoConfEntry = { kind: 'dir'; path: string } | { kind: 'include'; pattern: string };

/** Parses ld.so.conf text into directories and include patterns in file order, the way ldconfig reads it. */
export function parseLdSoConfText(text: string): LdSoConfEntry[] {
  const entries: LdSoConfEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const words = line.split(/\s+/);
    if (words[0] === 'include' && words.length > 1) {
      for (const pattern of words.slice(1)) entries.push({ kind: 'include', pattern });
      continue;
    }
    // "hwcap <bit> <name>" lines configured legacy hwcaps subdirectories, which ldconfig 2.36 ignores.
    if (words[0].toLowerCase() === 'hwcap') continue;
    for (const entry of line.split(/[\s,:]+/)) {
      // libc5-era "dir=TYPE" entries name the library type after '='.
      const dir = entry.replace(/=.*/, '');
      if (dir.startsWith('/')) entries.push({ kind: 'dir', path: normalizeDir(dir) });
    }
  }
  return entries;
}

function parseLdSoConf(rootfs: string, file: string, out: string[], seen: Set<string>, depth: number): void {
  // Each file once by what it is, not by how an include spelt it: two self-referring symlinks
  // otherwise give an exponential number of spellings (a/a/a/... of a 50 KB tarball).
  let real: string;
  try {
    real = resolveInRootfs(rootfs, file).rootfsPath;
  } catch (e) {
    if (e instanceof InputError) return;
    throw e;
  }
  if (seen.has(real)) return;
  seen.add(real);
  within('/etc/ld.so.conf', 'includeDepth', depth, `includes nested ${depth} deep at ${file}`);
  within('/etc/ld.so.conf', 'includeFiles', seen.size, `${seen.size} files included`);
  const text = readRootfsText(rootfs, real);
  if (text === undefined) return;
  for (const entry of parseLdSoConfText(text)) {
    if (entry.kind === 'dir') {
      out.push(entry.path);
      continue;
    }
    // ldconfig takes a relative include pattern from the directory of the file that names it.
    const abs = entry.pattern.startsWith('/') ? entry.pattern : path.posix.join(path.posix.dirname(file), entry.pattern);
    for (const inc of globInRootfs(rootfs, abs)) parseLdSoConf(rootfs, inc, out, seen, depth + 1);
  }
}

type HeaderCheck = 'ok' | 'other' | string;

/** Checks the ELF identification the way open_verify does: wrong class or machine means "keep searching". */
function checkHeader(hostPath: string): HeaderCheck {
  const buf = readHead(hostPath, 64);
  if (!Buffer.isBuffer(buf)) return `cannot read the file: ${buf.error}`;
  // open_verify's order: a short read is fatal before the identification is even looked at.
  if (buf.length < 64) return 'file too short';
  if (buf.readUInt32BE(0) !== 0x7f454c46) return 'invalid ELF header';
  if (buf[4] !== 2) return 'other';
  if (buf[5] !== 1) return 'ELF file data encoding not little-endian';
  if (buf.readUInt16LE(18) !== 62) return 'other';
  return 'ok';
}

type Attempt = { kind: 'found'; file: RootfsFile } | { kind: 'skip' } | { kind: 'fatal'; error: string };

function tryFile(rootfs: string, file: string): Attempt {
  let resolved: RootfsFile;
  try {
    resolved = resolveInRootfs(rootfs, file);
  } catch (e) {
    if (e instanceof InputError) return { kind: 'skip' };
    throw e;
  }
  if (statKind(resolved.hostPath) !== 'file') return { kind: 'skip' };
  const check = checkHeader(resolved.hostPath);
  if (check === 'ok') return { kind: 'found', file: resolved };
  if (check === 'other') return { kind: 'skip' };
  return { kind: 'fatal', error: `${file}: ${check}` };
}

function searchDirs(rootfs: string, name: string, dirs: string[]): SearchResult | undefined {
  for (const dir of dirs) {
    for (const sub of [...HWCAPS_SUBDIRS, '']) {
      const candidate = path.posix.join(dir, sub, name);
      const r = tryFile(rootfs, candidate);
      if (r.kind === 'found') return { file: r.file, openedAs: candidate };
      if (r.kind === 'fatal') return { error: r.error };
    }
  }
  return undefined;
}

function hasRunpath(elf: ElfFile): boolean {
  return elf.runpath !== undefined;
}

/** Finds a library in the rootfs as ld.so would for `name` requested by chain[0] (chain runs up the loaders to the executable). */
export function searchLibrary(rootfs: string, name: string, chain: SearchObject[]): SearchResult {
  const requester = chain[0];
  if (name.includes('/')) {
    const p = expandDst(name, requester?.origin ?? '/');
    const abs = p.startsWith('/') ? path.posix.normalize(p) : path.posix.join('/', p);
    const r = tryFile(rootfs, abs);
    if (r.kind === 'found') return { file: r.file, openedAs: abs };
    if (r.kind === 'fatal') return { error: r.error };
    return { error: 'not found' };
  }
  const stages: string[][] = [];
  if (requester === undefined || !hasRunpath(requester.elf)) {
    // An object with DT_RUNPATH has its DT_RPATH ignored entirely (get-dynamic-info.h).
    for (const obj of chain) {
      if (obj.elf.rpath !== undefined && !hasRunpath(obj.elf)) stages.push(expandSearchPath(obj.elf.rpath, obj.origin));
    }
  }
  if (requester?.elf.runpath !== undefined) stages.push(expandSearchPath(requester.elf.runpath, requester.origin));
  const flags1 = requester?.elf.dynamic.find((d) => d.tag === DT_FLAGS_1)?.value ?? 0;
  if ((flags1 & DF_1_NODEFLIB) === 0) {
    stages.push(ldSoConfDirs(rootfs));
    stages.push(SYSTEM_DIRS);
  }
  for (const dirs of stages) {
    const r = searchDirs(rootfs, name, dirs);
    if (r) return r;
  }
  return { error: 'not found' };
}
