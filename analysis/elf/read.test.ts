// Checks the reader against binutils' readelf on real Debian binaries.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  executableRanges,
  isExecutableAddress,
  parseElf,
  readCString,
  readElfFile,
  readU64,
  readVirtual,
  sectionAt,
  vaddrToOffset,
  R_X86_64_RELATIVE,
  STT_FUNC,
  STT_GNU_IFUNC,
  type ElfFile,
  type ElfSymbol,
} from './index.js';

const LIB = '/usr/lib/x86_64-linux-gnu';
const LIBC = `${LIB}/libc.so.6`;
const LIBCRYPTO = `${LIB}/libcrypto.so.3`;
// busctl (systemd) is here for its DT_RUNPATH, libstdc++ for CIEs with personality and LSDA ("zPLR").
const FILES = [
  LIBC,
  '/usr/sbin/nginx',
  LIBCRYPTO,
  '/usr/bin/ls',
  `${LIB}/ld-linux-x86-64.so.2`,
  '/usr/bin/busctl',
  `${LIB}/libstdc++.so.6`,
];

function readelf(args: string[], file: string): string {
  // readelf exits 1 on some files (libc's frame dump) while printing everything; the output is what counts.
  const r = spawnSync('readelf', ['-W', ...args, file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.ok(r.stdout.length > 0, `readelf ${args.join(' ')} ${file} printed nothing: ${r.stderr}`);
  return r.stdout;
}

const parsed = new Map<string, ElfFile>();
function elf(file: string): ElfFile {
  let e = parsed.get(file);
  if (!e) {
    e = readElfFile(file);
    parsed.set(file, e);
  }
  return e;
}

const SECTION_TYPES: Record<string, number> = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  HASH: 5,
  DYNAMIC: 6,
  NOTE: 7,
  NOBITS: 8,
  DYNSYM: 11,
  INIT_ARRAY: 14,
  FINI_ARRAY: 15,
  PREINIT_ARRAY: 16,
  RELR: 19,
  GNU_HASH: 0x6ffffff6,
  VERDEF: 0x6ffffffd,
  VERNEED: 0x6ffffffe,
  VERSYM: 0x6fffffff,
  X86_64_UNWIND: 0x70000001,
};

const SEGMENT_TYPES: Record<string, number> = {
  LOAD: 1,
  DYNAMIC: 2,
  INTERP: 3,
  NOTE: 4,
  PHDR: 6,
  TLS: 7,
  GNU_EH_FRAME: 0x6474e550,
  GNU_STACK: 0x6474e551,
  GNU_RELRO: 0x6474e552,
  GNU_PROPERTY: 0x6474e553,
};

const RELOC_TYPES: Record<string, number> = {
  R_X86_64_NONE: 0,
  R_X86_64_64: 1,
  R_X86_64_PC32: 2,
  R_X86_64_COPY: 5,
  R_X86_64_GLOB_DAT: 6,
  R_X86_64_JUMP_SLOT: 7,
  R_X86_64_RELATIVE: 8,
  R_X86_64_DTPMOD64: 16,
  R_X86_64_DTPOFF64: 17,
  R_X86_64_TPOFF64: 18,
  R_X86_64_TLSDESC: 36,
  R_X86_64_IRELATIVE: 37,
};

const SYMBOL_TYPES: Record<string, number> = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, TLS: 6, IFUNC: 10 };
const SYMBOL_BINDS: Record<string, number> = { LOCAL: 0, GLOBAL: 1, WEAK: 2, UNIQUE: 10 };

function known(table: Record<string, number>, name: string): number {
  const v = table[name];
  assert.notEqual(v, undefined, `test table lacks ${name}`);
  return v;
}

/**
 * How readelf prints a dynamic symbol's name: name@@VER for a default definition, name@VER otherwise,
 * where readelf counts a version taken from DT_VERNEED as non-default even on a defined (copy-relocated)
 * symbol whose hidden bit is clear.
 */
function display(s: ElfSymbol, e: ElfFile): string {
  // readelf leaves the suffix off the absolute symbol the linker makes for each version definition.
  if (!s.version || (s.shndx === 0xfff1 && s.name === s.version)) return s.name;
  const plain = s.shndx === 0 || s.versionHidden || !e.versionDefinitions.includes(s.version);
  return `${s.name}${plain ? '@' : '@@'}${s.version}`;
}

/** Symbols of one table from `readelf -s`/`--dyn-syms`, in order. */
function readelfSymbols(out: string, table: string) {
  const rows: { value: number; type: number; bind: number; name: string }[] = [];
  let inTable = false;
  for (const line of out.split('\n')) {
    if (line.startsWith('Symbol table ')) inTable = line.includes(`'${table}'`);
    const m = /^\s*\d+: ([0-9a-f]{16})\s+(?:\d+|0x[0-9a-f]+)\s+(\w+)\s+(\w+)\s+\w+\s+\w+ ?(.*)$/.exec(line);
    if (!inTable || !m) continue;
    rows.push({
      value: parseInt(m[1], 16),
      type: known(SYMBOL_TYPES, m[2]),
      bind: known(SYMBOL_BINDS, m[3]),
      name: m[4].replace(/ \(\d+\)$/, ''),
    });
  }
  return rows;
}

/** Relocation tables from `readelf -r`: rows of RELA tables and the offsets listed for RELR. */
function readelfRelocations(out: string) {
  const tables = new Map<string, { offset: number; type: number; addend?: number }[]>();
  const relrCounts = new Map<string, number>();
  let current: string | undefined;
  for (const line of out.split('\n')) {
    const head = /^Relocation section '(.+)' at offset/.exec(line);
    if (head) {
      current = head[1];
      tables.set(current, []);
      continue;
    }
    if (!current) continue;
    const offsets = /^\s+(\d+) offsets$/.exec(line);
    if (offsets) relrCounts.set(current, Number(offsets[1]));
    const rela = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(R_X86_64_\w+)\s*(.*)$/.exec(line);
    if (rela) {
      const type = known(RELOC_TYPES, rela[2]);
      const addend = type === R_X86_64_RELATIVE ? parseInt(rela[3].trim(), 16) : undefined;
      tables.get(current)!.push({ offset: parseInt(rela[1], 16), type, addend });
      continue;
    }
    const relr = /^([0-9a-f]{16})(?:\s.*)?$/.exec(line);
    if (relr) tables.get(current)!.push({ offset: parseInt(relr[1], 16), type: R_X86_64_RELATIVE });
  }
  return { tables, relrCounts };
}

const TABLE_NAMES: Record<string, string> = { '.rela.dyn': 'rela.dyn', '.rela.plt': 'rela.plt', '.relr.dyn': 'relr' };

/** FDE code ranges listed for .eh_frame by `readelf --debug-dump=frames`. */
function readelfFdes(file: string): { start: number; end: number; lsda?: number }[] {
  const out = readelf(['--debug-dump=frames'], file);
  const ehFrame = /\.eh_frame\s+PROGBITS\s+([0-9a-f]+)/.exec(readelf(['-SW'], file))?.[1];
  const fdes: { start: number; end: number; lsda?: number }[] = [];
  let inEhFrame = false;
  let last: { at: number } | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('Contents of the ')) inEhFrame = line.startsWith('Contents of the .eh_frame section');
    const m = /^([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (inEhFrame && m) {
      fdes.push({ start: parseInt(m[2], 16), end: parseInt(m[3], 16) });
      last = { at: parseInt(m[1], 16) };
      continue;
    }
    // GCC's FDE augmentation: a one-byte length, then the LSDA as a pc-relative 4-byte value right
    // after the 32-bit length, CIE pointer, pc begin and pc range (so 17 bytes into the FDE).
    const a = /^\s+Augmentation data:\s+((?:[0-9a-f]{2} ?){4})$/.exec(line);
    if (inEhFrame && a && last && ehFrame !== undefined) {
      const b = a[1].trim().split(' ').map((x) => parseInt(x, 16));
      const rel = Buffer.from(b).readInt32LE(0);
      if (rel !== 0) fdes[fdes.length - 1].lsda = parseInt(ehFrame, 16) + last.at + 17 + rel;
    }
    if (!m && !a && !line.startsWith(' ')) last = undefined;
  }
  return fdes;
}

/** 64-bit little-endian words of a section, from `readelf -x`. */
function sectionWords(file: string, section: string): number[] {
  const out = readelf(['-x', section], file);
  const bytes: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s+0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})/.exec(line);
    if (!m) continue;
    for (const word of m[1].trim().split(' ')) for (let i = 0; i < word.length; i += 2) bytes.push(parseInt(word.slice(i, i + 2), 16));
  }
  const words: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    let v = 0;
    for (let j = 7; j >= 0; j--) v = v * 256 + bytes[i + j];
    words.push(v);
  }
  return words;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

for (const file of FILES) {
  describe(file, { skip: !existsSync(file) && `${file} is not installed` }, () => {
    test('section headers match readelf -S', () => {
      const e = elf(file);
      const rows = readelf(['-S'], file)
        .split('\n')
        .map((l) =>
          /^\s*\[\s*(\d+)\]\s+(\S+)?\s+(\S+)\s+([0-9a-f]{16})\s+([0-9a-f]{6,})\s+([0-9a-f]{6,})\s+[0-9a-f]{2}\s+([A-Za-z]*)\s+\d+\s+\d+\s+\d+$/.exec(l),
        )
        .filter((m) => m !== null);
      assert.equal(e.sections.length, rows.length);
      for (const m of rows) {
        const s = e.sections[Number(m[1])];
        assert.equal(s.name, m[2] ?? '', `section ${m[1]} name`);
        assert.equal(s.type, known(SECTION_TYPES, m[3]), `${s.name} type`);
        assert.equal(s.addr, parseInt(m[4], 16), `${s.name} address`);
        assert.equal(s.offset, parseInt(m[5], 16), `${s.name} offset`);
        assert.equal(s.size, parseInt(m[6], 16), `${s.name} size`);
        assert.equal((s.flags & 4) !== 0, m[7].includes('X'), `${s.name} SHF_EXECINSTR`);
      }
    });

    test('program headers and interpreter match readelf -l', () => {
      const e = elf(file);
      const out = readelf(['-l'], file);
      const rows = [
        ...out.matchAll(
          /^\s+(\w+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x([0-9a-f]+) ([R ][W ][E ]) 0x([0-9a-f]+)$/gm,
        ),
      ];
      assert.equal(e.segments.length, rows.length);
      rows.forEach((m, i) => {
        const p = e.segments[i];
        const flags = (m[6][0] === 'R' ? 4 : 0) | (m[6][1] === 'W' ? 2 : 0) | (m[6][2] === 'E' ? 1 : 0);
        assert.deepEqual(
          [p.type, p.offset, p.vaddr, p.filesz, p.memsz, p.flags, p.align],
          [known(SEGMENT_TYPES, m[1]), ...[m[2], m[3], m[4], m[5]].map((x) => parseInt(x, 16)), flags, parseInt(m[7], 16)],
          `segment ${i}`,
        );
      });
      assert.equal(e.interp, /\[Requesting program interpreter: (.*)\]/.exec(out)?.[1]);
    });

    test('dynamic section, NEEDED, SONAME and RUNPATH match readelf -d', () => {
      const e = elf(file);
      const out = readelf(['-d'], file);
      const tags = [...out.matchAll(/^ 0x([0-9a-f]{16}) \(/gm)].map((m) => parseInt(m[1], 16)).filter((t) => t !== 0);
      assert.deepEqual(
        e.dynamic.map((d) => d.tag),
        tags,
      );
      assert.deepEqual(
        e.needed,
        [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]),
      );
      assert.equal(e.soname, /Library soname: \[(.*)\]/.exec(out)?.[1]);
      assert.equal(e.runpath, /Library runpath: \[(.*)\]/.exec(out)?.[1]);
      if (file.endsWith('busctl')) assert.equal(e.runpath, '/usr/lib/x86_64-linux-gnu/systemd');
      assert.equal(e.rpath, /Library rpath: \[(.*)\]/.exec(out)?.[1]);
    });

    test('dynamic symbols with versions match readelf --dyn-syms', () => {
      const e = elf(file);
      const rows = readelfSymbols(readelf(['--dyn-syms'], file), '.dynsym');
      assert.ok(rows.length > 10);
      assert.deepEqual(
        e.dynsym.map((s) => ({ value: s.value, type: s.type, bind: s.bind, name: display(s, e) })),
        rows,
      );
    });

    test('version definitions match readelf -V', () => {
      const names = [...readelf(['-V'], file).matchAll(/Index: \d+\s+Cnt: \d+\s+Name: (\S+)/g)].map((m) => m[1]);
      assert.deepEqual(elf(file).versionDefinitions, names);
    });

    test('relocations per table and type match readelf -r', () => {
      const e = elf(file);
      const { tables, relrCounts } = readelfRelocations(readelf(['-r'], file));
      assert.ok(tables.size > 0);
      for (const [section, rows] of tables) {
        const table = TABLE_NAMES[section];
        assert.ok(table, `unexpected relocation section ${section}`);
        const ours = e.relocations.filter((r) => r.table === table);
        if (table === 'relr') {
          // readelf lists each RELR-covered address; the addend is what the file holds there.
          assert.equal(ours.length, relrCounts.get(section));
          assert.deepEqual(
            ours.map((r) => r.offset),
            rows.map((r) => r.offset),
          );
          for (const r of ours) assert.equal(r.addend, readU64(e, r.offset));
        } else {
          assert.deepEqual(
            ours.map((r) => ({ offset: r.offset, type: r.type, addend: r.type === R_X86_64_RELATIVE ? r.addend : undefined })),
            rows,
            section,
          );
        }
      }
      assert.equal(e.relocations.length, [...tables.values()].reduce((n, rows) => n + rows.length, 0));
    });

    test('FDEs match readelf --debug-dump=frames', () => {
      const e = elf(file);
      const expected = readelfFdes(file);
      assert.ok(expected.length > 10);
      assert.deepEqual(e.fdes, expected);
    });

    test('build-id note matches readelf -n', () => {
      const id = /Build ID: ([0-9a-f]+)/.exec(readelf(['-n'], file))?.[1];
      assert.ok(id);
      const note = elf(file).notes.find((n) => n.name === 'GNU' && n.type === 3);
      assert.equal(Buffer.from(note!.desc).toString('hex'), id);
    });

    test('init functions are DT_INIT/DT_FINI and the relocated array slots', () => {
      const e = elf(file);
      const dyn = readelf(['-d'], file);
      const tag = (name: string): number | undefined => {
        const m = new RegExp(`\\(${name}\\)\\s+(0x[0-9a-f]+|\\d+)`).exec(dyn);
        return m ? Number(m[1]) : undefined;
      };
      const { tables } = readelfRelocations(readelf(['-r'], file));
      const relative = new Map<number, number>();
      for (const rows of tables.values()) for (const r of rows) if (r.addend !== undefined) relative.set(r.offset, r.addend);
      const expected: number[] = [];
      for (const name of ['INIT', 'FINI']) if (tag(name) !== undefined) expected.push(tag(name)!);
      for (const [name, section] of [
        ['INIT_ARRAY', '.init_array'],
        ['FINI_ARRAY', '.fini_array'],
      ]) {
        const addr = tag(name);
        if (addr === undefined) continue;
        // The linker also stores RELA addends in place, so the section bytes are the fallback for RELR slots.
        sectionWords(file, section).forEach((word, i) => expected.push(relative.get(addr + i * 8) ?? word));
      }
      assert.deepEqual(
        e.initFunctions,
        expected.filter((v) => v !== 0),
      );
      for (const f of e.initFunctions) assert.ok(isExecutableAddress(e, f), `${hex(f)} is code`);
    });

    test('memory helpers agree with the section table', () => {
      const e = elf(file);
      for (const s of e.sections) {
        if (!(s.flags & 2) || s.type === 8 || s.size === 0) continue;
        assert.equal(vaddrToOffset(e, s.addr), s.offset, `${s.name} offset`);
        assert.deepEqual(readVirtual(e, s.addr, s.size), e.bytes.subarray(s.offset, s.offset + s.size));
        if (s.type !== 8) assert.equal(sectionAt(e, s.addr + s.size - 1), s, `${s.name} by address`);
      }
      const ranges = executableRanges(e);
      const execSections = e.sections.filter((s) => s.flags & 4);
      assert.deepEqual(
        ranges,
        execSections.map((s) => ({ start: s.addr, end: s.addr + s.size })).sort((a, b) => a.start - b.start),
      );
      const text = e.sections.find((s) => s.name === '.text')!;
      const rodata = e.sections.find((s) => s.name === '.rodata')!;
      assert.ok(isExecutableAddress(e, text.addr));
      assert.ok(isExecutableAddress(e, text.addr + text.size - 1));
      assert.ok(!isExecutableAddress(e, text.addr + text.size + 0x100000));
      assert.ok(!isExecutableAddress(e, rodata.addr));
      const bss = e.sections.find((s) => s.name === '.bss');
      if (bss) assert.equal(vaddrToOffset(e, bss.addr + bss.size - 1), undefined, '.bss is not file-backed');
      const interp = e.sections.find((s) => s.name === '.interp');
      if (interp) assert.equal(readCString(e, interp.addr), e.interp);
    });
  });
}

describe('libc.so.6 specifics', { skip: !existsSync(LIBC) && 'libc.so.6 missing' }, () => {
  test('RELR expands to more than 1000 RELATIVE relocations', () => {
    const relr = elf(LIBC).relocations.filter((r) => r.table === 'relr');
    assert.ok(relr.length > 1000, `${relr.length} RELR relocations`);
    assert.ok(relr.every((r) => r.type === R_X86_64_RELATIVE && r.addend > 0));
  });

  test('read is a FUNC at GLIBC_2.2.5', () => {
    const read = elf(LIBC).dynsym.filter((s) => s.name === 'read');
    assert.equal(read.length, 1);
    assert.equal(read[0].type, STT_FUNC);
    assert.equal(read[0].version, 'GLIBC_2.2.5');
    assert.equal(read[0].versionHidden, false);
  });

  test('memcpy exists as hidden GLIBC_2.2.5 and default GLIBC_2.14', () => {
    const memcpy = elf(LIBC)
      .dynsym.filter((s) => s.name === 'memcpy')
      .map((s) => ({ version: s.version, hidden: s.versionHidden }));
    assert.deepEqual(
      memcpy.sort((a, b) => a.version!.localeCompare(b.version!)),
      [
        { version: 'GLIBC_2.14', hidden: false },
        { version: 'GLIBC_2.2.5', hidden: true },
      ],
    );
    assert.ok(elf(LIBC).dynsym.some((s) => s.name === 'memcpy' && s.type === STT_GNU_IFUNC));
  });

  test('the first version definition is the soname', () => {
    const e = elf(LIBC);
    assert.equal(e.versionDefinitions[0], 'libc.so.6');
    assert.ok(e.versionDefinitions.includes('GLIBC_PRIVATE'));
  });
});

/** A copy of a real binary with its section header table removed, as sstrip would leave it. */
function withoutSectionHeaders(file: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(file));
  const v = new DataView(bytes.buffer);
  v.setBigUint64(40, 0n, true); // e_shoff
  v.setUint16(60, 0, true); // e_shnum
  v.setUint16(62, 0, true); // e_shstrndx
  return bytes;
}

for (const file of ['/usr/bin/ls', LIBC]) {
  test(`${file} without section headers reads the same through the dynamic section`, { skip: !existsSync(file) }, () => {
    const full = elf(file);
    const bare = parseElf(withoutSectionHeaders(file), `${file} (no sections)`);
    assert.equal(bare.sections.length, 0);
    assert.deepEqual(bare.needed, full.needed);
    assert.equal(bare.soname, full.soname);
    assert.deepEqual(bare.dynsym, full.dynsym);
    assert.deepEqual(bare.relocations, full.relocations);
    assert.deepEqual(bare.fdes, full.fdes);
    assert.deepEqual(bare.initFunctions, full.initFunctions);
    assert.deepEqual(bare.versionDefinitions, full.versionDefinitions);
    assert.deepEqual(
      bare.notes.map((n) => [n.name, n.type]),
      full.notes.map((n) => [n.name, n.type]),
    );
    const exec = executableRanges(bare);
    for (const s of full.sections.filter((x) => x.flags & 4)) {
      assert.ok(
        exec.some((r) => r.start <= s.addr && s.addr + s.size <= r.end),
        `${s.name} inside an executable segment`,
      );
    }
  });
}

test('a static executable: symtab, section-found relocations and init arrays', (t) => {
  if (spawnSync('gcc', ['--version']).status !== 0 || !existsSync(`${LIB}/libc.a`)) {
    t.skip('gcc or a static libc is not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'elf-static-'));
  try {
    const src = join(dir, 'hello.c');
    const exe = join(dir, 'hello');
    writeFileSync(src, '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
    execFileSync('gcc', ['-static', '-O2', '-o', exe, src]);
    const e = readElfFile(exe);
    assert.equal(e.dynamic.length, 0);
    const rows = readelfSymbols(readelf(['-s'], exe), '.symtab');
    assert.ok(rows.length > 500);
    assert.deepEqual(
      e.symtab.map((s) => ({ value: s.value, type: s.type, bind: s.bind, name: s.name })),
      rows,
    );
    const { tables } = readelfRelocations(readelf(['-r'], exe));
    assert.deepEqual(
      e.relocations.map((r) => ({ offset: r.offset, type: r.type, table: r.table })),
      tables.get('.rela.plt')!.map((r) => ({ offset: r.offset, type: r.type, table: 'rela.plt' })),
    );
    const init = e.sections.find((s) => s.name === '.init')!;
    const arrays = [...sectionWords(exe, '.init_array'), ...sectionWords(exe, '.fini_array')];
    const fini = e.sections.find((s) => s.name === '.fini')!;
    assert.deepEqual(e.initFunctions, [init.addr, fini.addr, ...arrays]);
    assert.equal(e.fdes.length, readelfFdes(exe).length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parse time for libc and libcrypto', { skip: !existsSync(LIBCRYPTO) }, (t) => {
  for (const file of [LIBCRYPTO, LIBC]) {
    const bytes = new Uint8Array(readFileSync(file));
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 9; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      parseElf(bytes, file);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
    t.diagnostic(`${file}: first ${wall[0].toFixed(1)} ms, median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU`);
    // CPU time, not wall time: other test files share the two cores. Bounds are generous on purpose.
    assert.ok(median(cpu) < 50, `${file} median ${median(cpu)} ms CPU`);
    assert.ok(cpu[0] < 300, `${file} first parse ${cpu[0]} ms CPU`);
  }
});
