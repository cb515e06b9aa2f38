import * as path from 'node:path';
import type { ElfFile, ElfRelocation, ElfSymbol } from '../elf/types.js';
import { R_X86_64_COPY, R_X86_64_JUMP_SLOT, STT_TLS } from '../elf/types.js';
import { InputError } from '../errors.js';
import { listRootfsDir, readRootfsText, resolveInRootfs, type RootfsFile } from './rootfs.js';
import { searchLibrary, type SearchObject, type SearchResult } from './search.js';
import { interpreterIsLibc, isReservedName, muslSystemPath, searchMuslLibrary } from './musl.js';
import { ProbeLog, recording, statKind, type Probe } from './probe.js';
import type { Binding, LoadedObject, LoadedProgram, OpenElf } from './types.js';

export type { Binding, LoadedObject, LoadedProgram, OpenElf } from './types.js';

// A model of glibc 2.36's ld.so (elf/rtld.c, dl-deps.c, dl-load.c, dl-lookup.c, dl-reloc.c) for
// x86-64: which objects a program ends up with, in which order, and where every symbol
// relocation binds under LD_BIND_NOW.

const PT_DYNAMIC = 2;
const DT_SYMBOLIC = 16;
const DT_FLAGS = 30;
const DF_SYMBOLIC = 0x2;
const EM_X86_64 = 62;

const STB_LOCAL = 0;
const STB_WEAK = 2;
const STB_GNU_UNIQUE = 10;
const STV_INTERNAL = 1;
const STV_HIDDEN = 2;
const STV_PROTECTED = 3;
const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
// check_match accepts only code and data: NOTYPE, OBJECT, FUNC, COMMON, TLS and GNU_IFUNC.
const ALLOWED_STT = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 10);

const R_X86_64_DTPMOD64 = 16;
const R_X86_64_DTPOFF64 = 17;
const R_X86_64_TPOFF64 = 18;
const R_X86_64_TLSDESC = 36;

// elf_machine_type_class: PLT-class lookups may not bind to a canonical PLT entry (an undefined
// symbol with a value), and COPY-class lookups skip the executable the copy lands in.
const CLASS_PLT = 1;
const CLASS_COPY = 2;

function typeClass(type: number): number {
  if (
    type === R_X86_64_JUMP_SLOT ||
    type === R_X86_64_DTPMOD64 ||
    type === R_X86_64_DTPOFF64 ||
    type === R_X86_64_TPOFF64 ||
    type === R_X86_64_TLSDESC
  )
    return CLASS_PLT;
  return type === R_X86_64_COPY ? CLASS_COPY : 0;
}

/** Per-object facts ld.so keeps in its link_map that the public LoadedObject does not carry. */
interface ObjectState {
  /** $ORIGIN: the directory the object was opened from (the real path for the executable, like /proc/self/exe). */
  origin: string;
  /** l_loader: the object whose DT_NEEDED or dlopen brought it in. */
  loader?: number;
  /** The objects its DT_NEEDED entries resolved to, in order. */
  deps: number[];
  /** The local scope searched after the global one: for a dlopened object, its dlopen root's search list. */
  localScope?: number[];
  /** ld.so that nobody needed: rtld.c keeps its bootstrap self-relocation, bound to its own symbols. */
  selfBound?: boolean;
  /** Definitions by name, in .dynsym order (the order of a GNU hash chain for equal names). */
  defs?: Map<string, ElfSymbol[]>;
}

interface ProgramState {
  objects: ObjectState[];
  /** Every name an object answers to: the names it was asked for, its SONAME and the path it was opened as. */
  byName: Map<string, number>;
  byPath: Map<string, number>;
  /** The global search list: the executable's breadth-first NEEDED closure (ld.so only if needed). */
  global: number[];
  /** ld.so itself before anyone asked for it (PT_INTERP is mapped by the kernel first). */
  pendingInterp?: { file: RootfsFile; elf: ElfFile; names: string[] };
  /** Every file-system observation made for this program (search probes, config files, objects opened). */
  log: ProbeLog;
  /** Which loader runs the program: glibc's ld.so, or musl's libc (link/musl.ts) with its search path. */
  libc: 'glibc' | 'musl';
  muslPath?: string[];
}

const states = new WeakMap<LoadedProgram, ProgramState>();

function stateOf(lp: LoadedProgram): ProgramState {
  const known = states.get(lp);
  if (known) return known;
  // A LoadedProgram built elsewhere (e.g. deserialised): rebuild what the loader needs from it.
  const fresh: ProgramState = { objects: [], byName: new Map(), byPath: new Map(), global: [], log: new ProbeLog(), libc: lp.libc ?? 'glibc' };
  for (const o of lp.objects) {
    fresh.objects.push({ origin: path.posix.dirname(o.rootfsPath), loader: o.neededBy, deps: [] });
    fresh.byPath.set(o.rootfsPath, o.index);
    registerNames(fresh, o.index, o.elf, [o.name, o.rootfsPath]);
    if (!o.dlopened) fresh.global.push(o.index);
  }
  lp.objects.forEach((o, i) => {
    for (const n of o.elf.needed) {
      const d = fresh.byName.get(n);
      if (d !== undefined) fresh.objects[i].deps.push(d);
    }
  });
  states.set(lp, fresh);
  return fresh;
}

function registerNames(st: ProgramState, index: number, elf: ElfFile, names: (string | undefined)[]): void {
  for (const n of [...names, elf.soname]) if (n !== undefined && !st.byName.has(n)) st.byName.set(n, index);
}

function describeError(e: unknown): string {
  if (e instanceof InputError) return e.problem;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The file-system observations the loader made for `lp` so far, with their outcomes (objects
 * opened appear as 'elf' probes when the OpenElf callback records them): everything the loaded
 * program depends on, for a cache to re-check.
 */
export function loaderProbes(lp: LoadedProgram): readonly Probe[] {
  return stateOf(lp).log.probes;
}

/** Loads a program and its NEEDED closure in ld.so's order and binds every symbol relocation. */
export function loadProgram(rootfs: string, program: string, open: OpenElf): LoadedProgram {
  const log = new ProbeLog();
  const lp = recording(log, () => load(rootfs, program, open, log));
  return lp;
}

function load(rootfs: string, program: string, open: OpenElf, log: ProbeLog): LoadedProgram {
  const file = resolveInRootfs(rootfs, program);
  if (statKind(file.hostPath) !== 'file') throw new InputError(program, 'not a regular file');
  let elf: ElfFile;
  try {
    elf = open(file.hostPath, file.rootfsPath);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(program, describeError(e));
  }
  if (elf.machine !== EM_X86_64) throw new InputError(program, `not an x86-64 program (e_machine ${elf.machine})`);
  const lp: LoadedProgram = {
    rootfs,
    program,
    objects: [{ index: 0, rootfsPath: file.rootfsPath, hostPath: file.hostPath, name: program, elf }],
    bindings: [],
    warnings: [],
  };
  const st: ProgramState = {
    objects: [{ origin: path.posix.dirname(file.rootfsPath), deps: [] }],
    byName: new Map(),
    byPath: new Map([[file.rootfsPath, 0]]),
    global: [0],
    log,
    libc: 'glibc',
  };
  states.set(lp, st);
  if (!elf.segments.some((s) => s.type === PT_DYNAMIC)) return lp;

  if (elf.interp !== undefined) {
    try {
      const interpFile = resolveInRootfs(rootfs, elf.interp);
      const interpElf = open(interpFile.hostPath, interpFile.rootfsPath);
      st.pendingInterp = { file: interpFile, elf: interpElf, names: [elf.interp, interpElf.soname ?? elf.interp] };
      // Which libc the program uses follows from its interpreter, never from file names.
      if (interpreterIsLibc(interpElf)) {
        st.libc = lp.libc = 'musl';
        st.muslPath = muslSystemPath(rootfs, elf.interp);
      }
    } catch (e) {
      lp.warnings.push(`${elf.interp} (interpreter of ${file.rootfsPath}): ${describeError(e)}`);
    }
  }
  loadClosure(lp, st, 0, open, false);
  st.global = searchList(st, 0);
  const interp = st.pendingInterp;
  if (interp) {
    const index = addObject(lp, st, interp.file, elf.interp!, interp.elf, undefined, undefined, false);
    registerNames(st, index, interp.elf, interp.names);
    lp.objects[index].interpreter = true;
    st.pendingInterp = undefined;
    // Nobody needed ld.so: rtld.c keeps it loaded but out of the main search list. musl's libc is
    // in the global namespace whether or not anything named it.
    if (st.libc === 'musl') st.global.push(index);
    else st.objects[index].selfBound = true;
  }
  bindObjects(lp, st, 0);
  return lp;
}

function addObject(
  lp: LoadedProgram,
  st: ProgramState,
  file: RootfsFile,
  name: string,
  elf: ElfFile,
  neededBy: number | undefined,
  openedAs: string | undefined,
  dlopened: boolean,
): number {
  const index = lp.objects.length;
  const obj: LoadedObject = { index, rootfsPath: file.rootfsPath, hostPath: file.hostPath, name, elf };
  if (neededBy !== undefined) obj.neededBy = neededBy;
  if (dlopened) obj.dlopened = true;
  lp.objects.push(obj);
  st.objects.push({ origin: path.posix.dirname(openedAs ?? file.rootfsPath), loader: neededBy, deps: [] });
  st.byPath.set(file.rootfsPath, index);
  registerNames(st, index, elf, [name, openedAs]);
  return index;
}

/** The requester and its loaders up to the executable, whose DT_RPATHs ld.so searches in turn. */
function loaderChain(lp: LoadedProgram, st: ProgramState, requester: number): SearchObject[] {
  const chain: SearchObject[] = [];
  const seen = new Set<number>();
  for (let i: number | undefined = requester; i !== undefined && !seen.has(i); i = st.objects[i].loader) {
    seen.add(i);
    chain.push({ elf: lp.objects[i].elf, origin: st.objects[i].origin });
  }
  // _dl_map_object also tries the executable's DT_RPATH when the chain did not reach it (dlopen from ld.so).
  if (!seen.has(0)) chain.push({ elf: lp.objects[0].elf, origin: st.objects[0].origin });
  return chain;
}

type MapResult = { index: number; isNew: boolean } | { error: string };

/** _dl_map_object: an already loaded object answering to `name`, or the library found and loaded for it. */
function mapObject(lp: LoadedProgram, st: ProgramState, name: string, requester: number, open: OpenElf, dlopened: boolean, neededBy: number | undefined): MapResult {
  const known = st.byName.get(name);
  if (known !== undefined) return { index: known, isNew: false };
  const interp = st.pendingInterp;
  if (interp && interp.names.includes(name)) return { index: insertInterp(lp, st, name, neededBy), isNew: true };
  if (st.libc === 'musl' && isReservedName(name)) {
    // One of libc's own names: musl answers with itself.
    if (interp) return { index: insertInterp(lp, st, name, neededBy), isNew: true };
    const self = lp.objects.findIndex((o) => o.interpreter);
    if (self >= 0) {
      registerNames(st, self, lp.objects[self].elf, [name]);
      return { index: self, isNew: false };
    }
  }
  const found = search(lp, st, name, requester);
  if (!found.file) return { error: found.error ?? 'not found' };
  // Same file under another name (ld.so compares device and inode): one object, one more name.
  const same = st.byPath.get(found.file.rootfsPath);
  if (same !== undefined) {
    registerNames(st, same, lp.objects[same].elf, [name, found.openedAs]);
    return { index: same, isNew: false };
  }
  if (interp && interp.file.rootfsPath === found.file.rootfsPath) return { index: insertInterp(lp, st, name, neededBy), isNew: true };
  let elf: ElfFile;
  try {
    elf = open(found.file.hostPath, found.file.rootfsPath);
  } catch (e) {
    return { error: describeError(e) };
  }
  return { index: addObject(lp, st, found.file, name, elf, neededBy, found.openedAs, dlopened), isNew: true };
}

function insertInterp(lp: LoadedProgram, st: ProgramState, name: string, neededBy: number | undefined): number {
  const interp = st.pendingInterp!;
  st.pendingInterp = undefined;
  const index = addObject(lp, st, interp.file, name, interp.elf, neededBy, undefined, false);
  registerNames(st, index, interp.elf, interp.names);
  lp.objects[index].interpreter = true;
  return index;
}

/** The library search of the program's loader. */
function search(lp: LoadedProgram, st: ProgramState, name: string, requester: number): SearchResult {
  const chain = loaderChain(lp, st, requester);
  return st.libc === 'musl' ? searchMuslLibrary(lp.rootfs, name, chain, st.muslPath ?? []) : searchLibrary(lp.rootfs, name, chain);
}

/** _dl_map_object_deps: breadth-first over DT_NEEDED from the objects starting at `first`, each library once. */
function loadClosure(lp: LoadedProgram, st: ProgramState, first: number, open: OpenElf, dlopened: boolean): void {
  for (let i = first; i < lp.objects.length; i++) {
    const obj = lp.objects[i];
    for (const needed of obj.elf.needed) {
      const r = mapObject(lp, st, needed, i, open, dlopened, i);
      // A NEEDED that resolves to something the loader cannot map (a linker script, another
      // non-ELF file) stops the program from starting: no analysis can stand for it.
      if ('error' in r && r.error !== 'not found' && !dlopened) throw new InputError(lp.program, `${needed} (needed by ${obj.rootfsPath}): ${r.error}; the loader refuses to start the program`);
      if ('error' in r) lp.warnings.push(`${needed} (needed by ${obj.rootfsPath}): ${r.error}`);
      else if (!st.objects[i].deps.includes(r.index)) st.objects[i].deps.push(r.index);
    }
  }
}

/** An object's l_searchlist: itself, then its NEEDED closure breadth-first, each object once. */
function searchList(st: ProgramState, root: number): number[] {
  const list = [root];
  const seen = new Set(list);
  for (let k = 0; k < list.length; k++) {
    for (const d of st.objects[list[k]].deps) {
      if (!seen.has(d)) {
        seen.add(d);
        list.push(d);
      }
    }
  }
  return list;
}

/** dlopen model: adds a library (and its missing NEEDED closure) to the program, binds the new objects' relocations; returns the new object indexes (or the named object when it was mapped already and `exportsIfLoaded`, its exports becoming reachable); throws nothing for a missing library: adds a warning and returns []. */
export function addLibrary(lp: LoadedProgram, name: string, requester: number, open: OpenElf, exportsIfLoaded = true): number[] {
  const st = stateOf(lp);
  return recording(st.log, () => addLibraryIn(lp, st, name, requester, open, exportsIfLoaded));
}

function addLibraryIn(lp: LoadedProgram, st: ProgramState, name: string, requester: number, open: OpenElf, exportsIfLoaded: boolean): number[] {
  const first = lp.objects.length;
  const r = mapObject(lp, st, name, requester, open, true, undefined);
  if ('error' in r) {
    lp.warnings.push(`${name} (dlopened by ${lp.objects[requester]?.rootfsPath ?? lp.program}): ${r.error}`);
    return [];
  }
  if (!r.isNew) {
    // dlopen of an object already mapped returns it; dlsym can then reach any of its exports.
    // Only a name passed straight to dlopen counts here: library-like strings reaching dlopen through
    // other code are too often something else (ld.so compares names with "libc.so.6").
    const o = lp.objects[r.index];
    if (o.dlopenTarget || !exportsIfLoaded) return [];
    o.dlopenTarget = true;
    return [r.index];
  }
  st.objects[r.index].loader = requester;
  lp.objects[r.index].dlopenTarget = true;
  loadClosure(lp, st, first, open, true);
  // dlopen without RTLD_GLOBAL (the usual plugin case): the new objects are not added to the global
  // scope, and each searches the global scope and then the dlopened library's own search list.
  const local = searchList(st, r.index);
  for (let i = first; i < lp.objects.length; i++) st.objects[i].localScope = local;
  bindObjects(lp, st, first);
  const added: number[] = [];
  for (let i = first; i < lp.objects.length; i++) added.push(i);
  return added;
}

function definitions(lp: LoadedProgram, st: ProgramState, index: number): Map<string, ElfSymbol[]> {
  const os = st.objects[index];
  if (os.defs) return os.defs;
  const defs = new Map<string, ElfSymbol[]>();
  for (const sym of lp.objects[index].elf.dynsym) {
    if (sym.index === 0 || sym.name === '') continue;
    const list = defs.get(sym.name);
    if (list) list.push(sym);
    else defs.set(sym.name, [sym]);
  }
  os.defs = defs;
  return defs;
}

/** The verdef index (vd_ndx) of a defined symbol's version: 0 or 1 when unversioned, 2 for the object's oldest version. */
function versionIndex(elf: ElfFile, sym: ElfSymbol): number {
  if (sym.version === undefined) return 1;
  const i = elf.versionDefinitions.indexOf(sym.version);
  // DT_VERDEF lists the base version (the SONAME) first with index 1, the others in index order.
  return i < 0 ? 0x7fff : i + 1;
}

interface LookupOptions {
  version?: string;
  typeClass: number;
  /** dlsym semantics for unversioned names: the default version rather than the oldest. */
  returnNewest: boolean;
  skip?: number;
}

/** do_lookup_x for one object: its definition of `name` ld.so would accept, or undefined. */
function lookupIn(lp: LoadedProgram, st: ProgramState, index: number, name: string, opts: LookupOptions): ElfSymbol | undefined {
  const candidates = definitions(lp, st, index).get(name);
  if (!candidates) return undefined;
  const elf = lp.objects[index].elf;
  let versioned: ElfSymbol | undefined;
  let numVersions = 0;
  let found: ElfSymbol | undefined;
  for (const sym of candidates) {
    if (sym.value === 0 && sym.shndx !== SHN_ABS && sym.type !== STT_TLS) continue;
    if (opts.typeClass & CLASS_PLT && sym.shndx === SHN_UNDEF) continue;
    if (((1 << sym.type) & ALLOWED_STT) === 0) continue;
    if (opts.version !== undefined) {
      // A versioned reference takes the exact version, or an unversioned definition that is not hidden.
      if (sym.version !== opts.version && (sym.version !== undefined || sym.versionHidden)) continue;
    } else if (sym.version !== undefined && versionIndex(elf, sym) >= (opts.returnNewest ? 2 : 3)) {
      if (!sym.versionHidden && numVersions++ === 0) versioned = sym;
      continue;
    }
    found = sym;
    break;
  }
  // One non-default version and nothing else: no ambiguity, so ld.so takes it.
  if (!found && numVersions === 1) found = versioned;
  if (!found) return undefined;
  if (found.visibility === STV_HIDDEN || found.visibility === STV_INTERNAL) return undefined;
  if (found.bind === STB_LOCAL) return undefined;
  if (found.bind !== 1 && found.bind !== STB_WEAK && found.bind !== STB_GNU_UNIQUE) return undefined;
  return found;
}

/** _dl_lookup_symbol_x over the scopes of `from` (the global scope when undefined), DT_SYMBOLIC objects first in themselves. */
function scopeLookup(lp: LoadedProgram, st: ProgramState, name: string, opts: LookupOptions, from?: number, symbolic = false): { object: number; symbol: ElfSymbol } | undefined {
  const own = from !== undefined ? st.objects[from] : undefined;
  const scopes: number[][] = [];
  if (own?.selfBound) scopes.push([from!]);
  else {
    if (symbolic) scopes.push([from!]);
    scopes.push(st.global);
    if (own?.localScope) scopes.push(own.localScope);
  }
  for (const scope of scopes) {
    for (const i of scope) {
      if (i === opts.skip) continue;
      // COPY relocations copy into the executable, so the definition must come from elsewhere.
      if (opts.typeClass & CLASS_COPY && i === 0) continue;
      const sym = lookupIn(lp, st, i, name, opts);
      if (sym) return { object: i, symbol: sym };
    }
  }
  return undefined;
}

/** Looks a symbol up in the global scope as ld.so would (first definition in scope order, version-matched). */
export function lookupSymbol(lp: LoadedProgram, name: string, version?: string, skipObject?: number): { object: number; symbol: ElfSymbol } | undefined {
  return scopeLookup(lp, stateOf(lp), name, { version, typeClass: 0, returnNewest: true, skip: skipObject });
}

/** The malloc family ld.so itself switches to after relocation (elf/dl-minimal.c: __rtld_malloc_init_real). */
export const RTLD_MALLOC_SYMBOLS = ['calloc', 'free', 'malloc', 'realloc'];
const RTLD_MALLOC_VERSION = 'GLIBC_2.2.5';

/** ld.so's own run-time lookups, which no relocation records: from then on ld.so calls these definitions (e.g. an interposed malloc). */
export function rtldMallocBindings(lp: LoadedProgram): { symbol: string; version: string; to?: { object: number; symbol: ElfSymbol } }[] {
  const st = stateOf(lp);
  if (st.libc === 'musl') return [];
  if (lp.objects[0].elf.interp === undefined || lp.objects.length < 2) return [];
  return RTLD_MALLOC_SYMBOLS.map((symbol) => {
    // Looked up with the executable as the requesting object, in its scope, for libc's baseline version.
    const to = scopeLookup(lp, st, symbol, { version: RTLD_MALLOC_VERSION, typeClass: 0, returnNewest: false }, 0);
    return to ? { symbol, version: RTLD_MALLOC_VERSION, to } : { symbol, version: RTLD_MALLOC_VERSION };
  });
}

function isSymbolic(elf: ElfFile): boolean {
  return elf.dynamic.some((d) => d.tag === DT_SYMBOLIC || (d.tag === DT_FLAGS && (d.value & DF_SYMBOLIC) !== 0));
}

/** _dl_relocate_object under LD_BIND_NOW: binds the symbol relocations of the objects from `first` on. */
function bindObjects(lp: LoadedProgram, st: ProgramState, first: number): void {
  for (let i = first; i < lp.objects.length; i++) {
    const obj = lp.objects[i];
    const symbolic = isSymbolic(obj.elf);
    const undefinedNames: string[] = [];
    for (const reloc of obj.elf.relocations) {
      if (reloc.symIndex === 0) continue;
      const ref = obj.elf.dynsym[reloc.symIndex];
      if (ref === undefined) {
        lp.warnings.push(`${obj.rootfsPath}: relocation at 0x${reloc.offset.toString(16)} names symbol ${reloc.symIndex}, which .dynsym lacks`);
        continue;
      }
      const b = bindOne(lp, st, i, reloc, ref, symbolic);
      lp.bindings.push(b);
      if (!b.to && ref.bind !== STB_WEAK) {
        const name = b.version !== undefined ? `${b.symbol}@${b.version}` : b.symbol;
        if (!undefinedNames.includes(name)) undefinedNames.push(name);
      }
    }
    // One line per object: a missing library leaves dozens of symbols undefined.
    if (undefinedNames.length === 1) lp.warnings.push(`${obj.rootfsPath}: undefined symbol: ${undefinedNames[0]}`);
    else if (undefinedNames.length > 1) {
      const shown = undefinedNames.slice(0, 5).join(', ');
      const more = undefinedNames.length > 5 ? ` and ${undefinedNames.length - 5} more` : '';
      lp.warnings.push(`${obj.rootfsPath}: ${undefinedNames.length} undefined symbols: ${shown}${more}`);
    }
  }
}

function bindOne(lp: LoadedProgram, st: ProgramState, from: number, reloc: ElfRelocation, ref: ElfSymbol, symbolic: boolean): Binding {
  const binding: Binding = { from, reloc, symbol: ref.name };
  if (ref.version !== undefined) binding.version = ref.version;
  const defined = ref.shndx !== SHN_UNDEF;
  // RESOLVE_MAP: local symbols and hidden/internal ones resolve to the object itself without a lookup.
  if (ref.bind === STB_LOCAL || ref.visibility === STV_HIDDEN || ref.visibility === STV_INTERNAL) {
    if (defined) binding.to = { object: from, symbol: ref };
    return binding;
  }
  const tc = typeClass(reloc.type);
  const opts: LookupOptions = { version: ref.version, typeClass: tc, returnNewest: false };
  let to = scopeLookup(lp, st, ref.name, opts, from, symbolic);
  // A protected definition is not preempted by another object's; only a non-PLT reference may
  // still go to the executable's canonical PLT entry (_dl_lookup_symbol_x's protected case).
  if (ref.visibility === STV_PROTECTED && defined && to && to.object !== from) {
    const plt = tc === CLASS_PLT ? to : scopeLookup(lp, st, ref.name, { ...opts, typeClass: CLASS_PLT }, from, symbolic);
    if (plt && plt.object !== from) to = { object: from, symbol: ref };
  }
  if (to) binding.to = to;
  return binding;
}

const GCONV_DIR = '/usr/lib/x86_64-linux-gnu/gconv';

/** The libraries glibc may dlopen by itself, resolved in the rootfs: libgcc_s.so.1, the NSS modules named in the rootfs's /etc/nsswitch.conf (libnss_<service>.so.2, skip services built into glibc 2.36 such as files and dns when no such file exists), and the gconv modules directory listing. */
export function glibcImplicitLibraries(lp: LoadedProgram): { libgcc: string[]; nss: string[]; gconv: string[] } {
  const st = stateOf(lp);
  return recording(st.log, () => implicitLibraries(lp, st));
}

function implicitLibraries(lp: LoadedProgram, st: ProgramState): { libgcc: string[]; nss: string[]; gconv: string[] } {
  // musl has no NSS modules, no gconv modules and never dlopens libgcc_s itself.
  if (st.libc === 'musl') return { libgcc: [], nss: [], gconv: [] };
  // libc calls __libc_dlopen itself, so the search is the one libc's own dependencies get.
  const libcIndex = st.byName.get('libc.so.6') ?? 0;
  const find = (name: string): string | undefined => searchLibrary(lp.rootfs, name, loaderChain(lp, st, libcIndex)).file?.rootfsPath;

  const libgcc = find('libgcc_s.so.1');
  const nss: string[] = [];
  for (const service of nsswitchServices(readRootfsText(lp.rootfs, '/etc/nsswitch.conf') ?? '')) {
    // glibc 2.36 never loads libnss_files/libnss_dns (Debian ships them as empty stubs), but a
    // rootfs with an older glibc does: an existing file is kept, which can only add syscalls.
    // A service with no module is skipped at run time too (glibc treats it as unavailable).
    const found = find(`libnss_${service}.so.2`);
    if (found !== undefined && !nss.includes(found)) nss.push(found);
  }
  const gconv: string[] = [];
  for (const entry of listRootfsDir(lp.rootfs, GCONV_DIR)) {
    if (!entry.endsWith('.so')) continue;
    try {
      const f = resolveInRootfs(lp.rootfs, `${GCONV_DIR}/${entry}`);
      if (!gconv.includes(f.rootfsPath)) gconv.push(f.rootfsPath);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  return { libgcc: libgcc === undefined ? [] : [libgcc], nss, gconv };
}

/** The service names of an nsswitch.conf, in first-use order, without the [STATUS=action] items. */
export function nsswitchServices(text: string): string[] {
  const services: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '');
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const rest = line.slice(colon + 1).replace(/\[[^\]]*\]/g, ' ');
    for (const word of rest.split(/\s+/)) if (word !== '' && !services.includes(word)) services.push(word);
  }
  return services;
}
