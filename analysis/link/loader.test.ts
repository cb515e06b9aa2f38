import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readElfFile } from '../elf/read.js';
import type { ElfFile } from '../elf/types.js';
import { InputError } from '../errors.js';
import {
  addLibrary,
  glibcImplicitLibraries,
  loadProgram,
  lookupSymbol,
  nsswitchServices,
  rtldMallocBindings,
  type LoadedProgram,
} from './loader.js';

// The oracle is glibc itself: the program is run under LD_BIND_NOW=1 so that ld.so resolves every
// relocation at startup, and LD_DEBUG makes it log each symbol lookup ("bindings"), which object
// it is relocating ("reloc"), the global search list ("scopes") and every dlopen ("files"). The
// model must reproduce each logged relocation binding and the search order exactly.

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

const cache = new Map<string, ElfFile>();
function open(hostPath: string, rootfsPath: string): ElfFile {
  let elf = cache.get(hostPath);
  if (!elf) {
    elf = readElfFile(hostPath, rootfsPath);
    cache.set(hostPath, elf);
  }
  return elf;
}

interface OracleBinding {
  from: string;
  to: string;
  symbol: string;
  version?: string;
  /** Logged while ld.so was relocating `from` (not a dlsym or ld.so-internal lookup). */
  relocating: boolean;
}

interface Oracle {
  bindings: OracleBinding[];
  scope: string[];
  /** Objects dlopened at run time, in order, with the object that asked. */
  dlopens: { file: string; by: string }[];
}

const VDSO = 'linux-vdso.so.1';

function runOracle(program: string, args: string[]): Oracle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-ldso-'));
  tempDirs.push(dir);
  const r = spawnSync(program, args, {
    env: { ...process.env, LD_BIND_NOW: '1', LD_DEBUG: 'bindings,reloc,scopes,files', LD_DEBUG_OUTPUT: path.join(dir, 'debug') },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${program} ${args.join(' ')} failed: ${r.stderr}`);
  // glibc appends ".<pid>" to LD_DEBUG_OUTPUT; the programs run here do not fork.
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('debug.'));
  assert.equal(files.length, 1, `expected one debug log, got ${files.join(', ')}`);
  const text = fs.readFileSync(path.join(dir, files[0]), 'utf8');
  const oracle: Oracle = { bindings: [], scope: [], dlopens: [] };
  let inMainObject = false;
  let relocating: string | undefined;
  const bindingRe = /^binding file (.+?) \[\d+\] to (.+?) \[\d+\]: (?:normal|protected) symbol `([^']+)'(?: \[([^\]]+)\])?\s*$/;
  for (const line of text.split('\n')) {
    const body = line.replace(/^\s*\d+:\t?/, '');
    if (body.trim() === '') continue;
    const m = bindingRe.exec(body);
    if (m) {
      const b: OracleBinding = { from: m[1], to: m[2], symbol: m[3], relocating: relocating === m[1] };
      if (m[4] !== undefined) b.version = m[4];
      oracle.bindings.push(b);
      continue;
    }
    relocating = /^relocation processing: (\S+)/.exec(body)?.[1];
    const dl = /^file=(\S+) \[\d+\];\s+dynamically loaded by (\S+) \[\d+\]/.exec(body);
    if (dl) oracle.dlopens.push({ file: dl[1], by: dl[2] });
    if (body.startsWith('object=')) inMainObject = body.startsWith(`object=${program} `);
    else if (inMainObject && body.startsWith(' scope 0:') && oracle.scope.length === 0) {
      oracle.scope = body.slice(' scope 0:'.length).trim().split(' ');
    }
  }
  return oracle;
}

function real(p: string): string {
  return fs.realpathSync(p);
}

function lddObjects(program: string): string[] {
  const r = spawnSync('ldd', [program], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=> (\/\S+) \(/.exec(line) ?? /^\s*(\/\S+) \(/.exec(line);
    if (m) out.push(real(m[1]));
  }
  return out;
}

interface Comparison {
  mismatches: string[];
  checked: number;
  /** Lookups that are not relocations (dlsym and the like), which the model has no record of. */
  ignored: number;
}

/** Checks every relocation binding the oracle logged against the model; mismatches are one line each. */
function compare(lp: LoadedProgram, oracle: Oracle): Comparison {
  const indexOf = new Map(lp.objects.map((o) => [o.rootfsPath, o.index]));
  const model = new Map<string, Set<string>>();
  const add = (from: number, symbol: string, to: number | undefined, version: string | undefined): void => {
    const key = `${from}\0${symbol}`;
    let set = model.get(key);
    if (!set) model.set(key, (set = new Set()));
    set.add(`${to ?? 'none'}\0${version ?? ''}`);
  };
  for (const b of lp.bindings) add(b.from, b.symbol, b.to?.object, b.version);
  // ld.so's switch to the program's malloc is logged inside the executable's relocation block
  // with the executable as the requester, but no relocation of the executable asks for it.
  for (const b of rtldMallocBindings(lp)) add(0, b.symbol, b.to?.object, b.version);

  const result: Comparison = { mismatches: [], checked: 0, ignored: 0 };
  for (const ob of oracle.bindings) {
    // The vDSO is not a file the loader reads: those lines are libc's dl_vdso_vsym lookups inside
    // the vDSO's own map, not relocations of any object on disk.
    if (ob.from === VDSO || ob.to === VDSO) continue;
    if (!ob.relocating) {
      result.ignored++;
      continue;
    }
    result.checked++;
    const from = indexOf.get(real(ob.from));
    const to = indexOf.get(real(ob.to));
    const what = `${ob.from}: ${ob.symbol}${ob.version ? `@${ob.version}` : ''} -> ${ob.to}`;
    if (from === undefined || to === undefined) {
      result.mismatches.push(`${what}: object not loaded by the model`);
      continue;
    }
    const got = model.get(`${from}\0${ob.symbol}`);
    if (!got) {
      result.mismatches.push(`${what}: no such binding in the model`);
      continue;
    }
    if (!got.has(`${to}\0${ob.version ?? ''}`)) {
      const gotText = [...got].map((g) => {
        const [obj, ver] = g.split('\0');
        return `${obj === 'none' ? 'nothing' : lp.objects[Number(obj)].rootfsPath}${ver ? `@${ver}` : ''}`;
      });
      result.mismatches.push(`${what}: model binds to ${gotText.join(', ')}`);
    }
  }
  return result;
}

for (const [program, args] of [
  ['/usr/sbin/nginx', ['-v']],
  ['/usr/bin/curl', ['--version']],
] as const) {
  test(`loadProgram reproduces ld.so's objects and bindings for ${program}`, (t) => {
    const oracle = runOracle(program, [...args]);
    const lp = loadProgram('/', program, open);
    assert.deepEqual(lp.warnings, []);
    const initial = lp.objects.length;

    // Objects: the same files as ldd, in the order of ld.so's global search list.
    assert.deepEqual(
      lp.objects.map((o) => o.rootfsPath),
      oracle.scope.map(real),
    );
    assert.deepEqual(new Set(lp.objects.map((o) => o.rootfsPath)), new Set([real(program), ...lddObjects(program)]));

    // What the program dlopened at run time goes through addLibrary, so its relocations are checked too.
    for (const d of oracle.dlopens) {
      const by = lp.objects.findIndex((o) => o.rootfsPath === real(d.by));
      assert.ok(by >= 0, `${d.by} dlopened ${d.file} but is not loaded`);
      addLibrary(lp, d.file, by, open);
    }
    const files = new Set<string>();
    for (const b of oracle.bindings) if (b.relocating) for (const f of [b.from, b.to]) if (f !== VDSO) files.add(real(f));
    assert.deepEqual(new Set(lp.objects.map((o) => o.rootfsPath)), files);

    const { mismatches, checked, ignored } = compare(lp, oracle);
    t.diagnostic(
      `${program}: ${checked} relocation bindings checked (${lp.objects.length - initial} dlopened objects), ` +
        `${ignored} non-relocation lookups ignored, model has ${lp.bindings.length} bindings, ${mismatches.length} mismatches`,
    );
    assert.ok(checked > 1000, `only ${checked} oracle bindings`);
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${checked} oracle bindings differ`);
  });
}

test('interposition, copy relocations, canonical PLT entries and symbol versions match ld.so', (t) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'confine-bind-')));
  tempDirs.push(dir);
  const files: Record<string, string> = {
    'x.c': 'int data_obj = 5;\nint shared_fn(void) { return 1; }\nint x_calls(void) { return shared_fn() + data_obj; }\n',
    'y.c':
      'int shared_fn(void) { return 2; }\n' +
      '__attribute__((visibility("protected"))) int prot(void) { return 3; }\n' +
      'int yfunc(void) { return 4; }\nint (*y_ptr(void))(void) { return yfunc; }\n' +
      'int y_calls(void) { return shared_fn() + prot(); }\n' +
      'int foo_v1(void) { return 10; }\nint foo_v2(void) { return 20; }\n' +
      '__asm__(".symver foo_v1,foo@V1");\n__asm__(".symver foo_v2,foo@@V2");\n',
    'y.map': 'V1 { global: foo; shared_fn; prot; yfunc; y_ptr; y_calls; local: *; };\nV2 { global: foo; } V1;\n',
    'm.c':
      '#include <stdio.h>\nextern int data_obj;\nint shared_fn(void) { return 100; }\n' +
      'int x_calls(void); int y_calls(void); int foo(void); int yfunc(void); int (*y_ptr(void))(void);\n' +
      'int main(void) { printf("%d %d %d %d %d\\n", x_calls(), y_calls(), foo(), data_obj, y_ptr() == &yfunc); return 0; }\n',
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const gcc = (args: string[]): boolean => {
    const r = spawnSync('gcc', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) t.diagnostic(r.stderr);
    return r.status === 0;
  };
  assert.ok(gcc(['-shared', '-fPIC', '-o', 'libx.so', 'x.c']));
  assert.ok(gcc(['-shared', '-fPIC', '-Wl,--version-script=y.map', '-o', 'liby.so', 'y.c']));
  // Non-PIE so that the executable has a COPY relocation and a canonical PLT entry for yfunc.
  assert.ok(gcc(['-no-pie', '-fno-pic', '-o', 'm', 'm.c', '-L.', '-lx', '-ly', '-Wl,-rpath,$ORIGIN']));
  const program = path.join(dir, 'm');
  // shared_fn is the executable's everywhere (interposition), foo is foo@@V2, data_obj was copied.
  assert.equal(spawnSync(program, { encoding: 'utf8' }).stdout, '105 103 20 5 1\n');

  const oracle = runOracle(program, []);
  const lp = loadProgram('/', program, open);
  assert.deepEqual(lp.warnings, []);
  assert.deepEqual(
    lp.objects.map((o) => o.rootfsPath),
    oracle.scope.map(real),
  );
  const { mismatches, checked } = compare(lp, oracle);
  assert.deepEqual(mismatches, []);
  assert.ok(checked > 10);
  const m = 0;
  const x = lp.objects.findIndex((o) => o.name === 'libx.so');
  const y = lp.objects.findIndex((o) => o.name === 'liby.so');
  const find = (from: number, symbol: string) => lp.bindings.find((b) => b.from === from && b.symbol === symbol);
  assert.equal(find(y, 'shared_fn')?.to?.object, m);
  assert.equal(find(y, 'yfunc')?.to?.object, m, "liby's address of yfunc is the executable's PLT entry");
  assert.equal(find(y, 'yfunc')?.to?.symbol.shndx, 0);
  assert.equal(find(m, 'data_obj')?.to?.object, x, 'COPY skips the executable');
  assert.equal(find(m, 'foo')?.version, 'V2');
  assert.equal(find(m, 'foo')?.to?.symbol.version, 'V2');
});

test('a program in a separate rootfs loads its libraries from the rootfs only', () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'confine-rootfs-load-')));
  tempDirs.push(root);
  const libdir = path.join(root, 'usr/lib/x86_64-linux-gnu');
  fs.mkdirSync(libdir, { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/lib64'), { recursive: true });
  fs.copyFileSync('/usr/bin/true', path.join(root, 'usr/bin/true'));
  fs.copyFileSync(real('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'), path.join(libdir, 'ld-linux-x86-64.so.2'));
  // Merged /usr, and PT_INTERP's absolute symlink, both of which must resolve inside the rootfs.
  fs.symlinkSync('usr/lib', path.join(root, 'lib'));
  fs.symlinkSync('usr/lib64', path.join(root, 'lib64'));
  fs.symlinkSync('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', path.join(root, 'usr/lib64/ld-linux-x86-64.so.2'));

  // libc.so.6 is on the host but not in this rootfs yet.
  const without = loadProgram(root, '/usr/bin/true', open);
  assert.equal(without.warnings[0], 'libc.so.6 (needed by /usr/bin/true): not found');
  assert.match(without.warnings[1], /^\/usr\/bin\/true: \d+ undefined symbols: .* and \d+ more$/);
  assert.equal(without.warnings.length, 2);

  fs.copyFileSync(real('/lib/x86_64-linux-gnu/libc.so.6'), path.join(libdir, 'libc.so.6'));
  const lp = loadProgram(root, '/usr/bin/true', open);
  assert.deepEqual(lp.warnings, []);
  assert.deepEqual(
    lp.objects.map((o) => [o.name, o.rootfsPath, o.neededBy]),
    [
      ['/usr/bin/true', '/usr/bin/true', undefined],
      ['libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6', 0],
      ['ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 1],
    ],
  );
  for (const o of lp.objects) assert.ok(o.hostPath.startsWith(root + '/'), o.hostPath);
  assert.ok(lp.bindings.some((b) => b.from === 1 && b.to?.object === 2 && b.symbol === '_rtld_global'));
});

test('lookupSymbol finds the default version in scope order and honours versions', () => {
  const lp = loadProgram('/', '/usr/sbin/nginx', open);
  const libc = lp.objects.findIndex((o) => o.name === 'libc.so.6');
  const memcpy = lookupSymbol(lp, 'memcpy');
  assert.equal(memcpy?.object, libc);
  assert.equal(memcpy?.symbol.version, 'GLIBC_2.14');
  const old = lookupSymbol(lp, 'memcpy', 'GLIBC_2.2.5');
  assert.equal(old?.symbol.version, 'GLIBC_2.2.5');
  assert.equal(lookupSymbol(lp, 'memcpy', 'NO_SUCH_VERSION'), undefined);
  assert.equal(lookupSymbol(lp, 'malloc', undefined, libc), undefined);
  assert.equal(lookupSymbol(lp, 'no_such_symbol_anywhere'), undefined);
});

test('addLibrary loads a dlopened module with its missing dependencies once', () => {
  const lp = loadProgram('/', '/usr/sbin/nginx', open);
  const before = lp.objects.length;
  const libc = lp.objects.findIndex((o) => o.name === 'libc.so.6');
  const added = addLibrary(lp, 'libnss_systemd.so.2', libc, open);
  assert.ok(added.length >= 1);
  assert.equal(added[0], before);
  assert.equal(lp.objects[before].rootfsPath, real('/usr/lib/x86_64-linux-gnu/libnss_systemd.so.2'));
  assert.ok(added.every((i) => lp.objects[i].dlopened));
  // Its relocations against libc are bound to the libc already loaded.
  assert.ok(lp.bindings.some((b) => b.from === before && b.to?.object === libc));
  assert.deepEqual(addLibrary(lp, 'libnss_systemd.so.2', libc, open), []);
  assert.deepEqual(addLibrary(lp, '/usr/lib/x86_64-linux-gnu/libnss_systemd.so.2', libc, open), []);
  assert.deepEqual(addLibrary(lp, 'libnot-there.so.7', libc, open), []);
  assert.ok(lp.warnings.some((w) => w.startsWith('libnot-there.so.7 (dlopened by ')));
});

test('glibcImplicitLibraries finds libgcc_s, NSS modules and gconv modules in the rootfs', () => {
  const lp = loadProgram('/', '/usr/sbin/nginx', open);
  const imp = glibcImplicitLibraries(lp);
  assert.deepEqual(imp.libgcc, [real('/usr/lib/x86_64-linux-gnu/libgcc_s.so.1')]);
  assert.ok(imp.nss.includes(real('/usr/lib/x86_64-linux-gnu/libnss_systemd.so.2')));
  assert.ok(imp.gconv.includes(real('/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so')));
  assert.deepEqual(nsswitchServices('hosts: files [NOTFOUND=return] mdns4_minimal dns # c\n# x: y\npasswd: files systemd\n'), [
    'files',
    'mdns4_minimal',
    'dns',
    'systemd',
  ]);
});

test('loadProgram rejects a missing program and a non-ELF file with InputError', () => {
  assert.throws(() => loadProgram('/', '/usr/bin/no-such-program', open), InputError);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-loader-'));
  tempDirs.push(dir);
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin/script'), '#!/bin/sh\necho hi\n');
  assert.throws(
    () => loadProgram(dir, '/bin/script', open),
    (e: unknown) => e instanceof InputError && e.file === '/bin/script',
  );
});

test('a statically linked program loads as a single object', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-static-'));
  tempDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  const r = spawnSync('gcc', ['-static', '-o', path.join(dir, 'main'), path.join(dir, 'main.c')], { encoding: 'utf8' });
  if (r.status !== 0) {
    t.skip(`gcc -static failed (no static libc?): ${r.stderr}`);
    return;
  }
  const lp = loadProgram(dir, '/main', open);
  assert.equal(lp.objects.length, 1);
  assert.deepEqual(lp.warnings, []);
});
