// Bad and unsupported inputs, each built from a real file's bytes, must give an ElfError with a clear problem.
import { test, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { ElfError, parseElf, readElfFile, type ElfFile } from './index.js';

const TRUE = '/usr/bin/true';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const LDSO = '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2';
const dir = mkdtempSync(join(tmpdir(), 'elf-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function original(): Uint8Array {
  return new Uint8Array(readFileSync(TRUE));
}

/** Writes bytes to a temp file and reads it back through readElfFile, as the loader would. */
function fromFile(name: string, bytes: Uint8Array): () => unknown {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return () => readElfFile(path, `/rootfs/${name}`);
}

/** Asserts an ElfError (also an InputError) whose problem matches, naming the display path. */
function rejects(fn: () => unknown, problem: RegExp, file?: string): ElfError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ElfError, `expected ElfError, got ${String(caught)}`);
  assert.ok(caught instanceof InputError);
  // InputError.problem carries ElfError's offset suffix; the problem proper comes before it.
  const suffix = / \(at offset 0x[0-9a-f]+\)$/;
  assert.match(caught.message, suffix);
  assert.match(caught.problem.replace(suffix, ''), problem);
  if (file !== undefined) assert.equal(caught.file, file);
  return caught;
}

function patched(edit: (v: DataView) => void): Uint8Array {
  const bytes = original();
  edit(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return bytes;
}

test('empty file', () => {
  rejects(fromFile('empty', new Uint8Array(0)), /^empty file/, '/rootfs/empty');
});

test('missing file and directory report the OS reason under the display path', () => {
  const e = rejects(() => readElfFile(join(dir, 'nope'), '/rootfs/nope'), /no such file or directory \(ENOENT\)/, '/rootfs/nope');
  assert.ok(!e.message.includes(dir), 'the host path stays out of the message');
  rejects(() => readElfFile(dir), /a directory, not a regular file/, dir);
});

test('a FIFO is refused without blocking: nothing writes to it, and a blocking read would hang forever', () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  rejects(() => readElfFile(fifo, '/rootfs/fifo'), /a FIFO, not a regular file/, '/rootfs/fifo');
});

test('first 100 bytes of /usr/bin/true: program header table truncated', () => {
  const e = rejects(fromFile('true-100', original().subarray(0, 100)), /^program header table .* extends past the end of the file/);
  assert.equal(e.offset, 64);
});

test('first half of /usr/bin/true', () => {
  const bytes = original();
  rejects(fromFile('true-half', bytes.subarray(0, bytes.length >> 1)), /extends past the end of the file/);
});

test('truncated inside the ELF header', () => {
  rejects(() => parseElf(original().subarray(0, 40), 'h40'), /^truncated ELF header/);
  rejects(() => parseElf(original().subarray(0, 3), 'h3'), /^truncated ELF header/);
});

test('random bytes are not an ELF file', () => {
  // A fixed LCG so the bytes (and the test) are the same on every run.
  const bytes = new Uint8Array(4096);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes[0] = 0x42;
  rejects(fromFile('random', bytes), /^not an ELF file$/);
  rejects(() => parseElf(new TextEncoder().encode('#!/bin/sh\necho hi\n'), 'script'), /^not an ELF file$/);
});

test('other architectures are named', () => {
  const cases: [number, string][] = [
    [3, 'i386'],
    [40, 'ARM'],
    [183, 'AArch64'],
    [243, 'RISC-V'],
    [8, 'MIPS'],
    [20, 'PowerPC'],
    [21, 'PowerPC64'],
    [22, 'S390'],
  ];
  for (const [machine, name] of cases) {
    const bytes = patched((v) => v.setUint16(18, machine, true));
    const e = rejects(fromFile(`true-em${machine}`, bytes), new RegExp(`^unsupported architecture: ${name} \\(e_machine ${machine}\\)$`));
    assert.equal(e.offset, 18);
  }
  rejects(() => parseElf(patched((v) => v.setUint16(18, 9999, true)), 'x'), /^unsupported architecture: unknown \(e_machine 9999\)$/);
});

test('32-bit class and big-endian data', () => {
  rejects(fromFile('true-class32', patched((v) => v.setUint8(4, 1))), /^unsupported ELF class \(32-bit\)$/);
  rejects(fromFile('true-be', patched((v) => v.setUint8(5, 2))), /^unsupported byte order$/);
  rejects(() => parseElf(patched((v) => v.setUint8(4, 7)), 'x'), /^invalid ELF class 7$/);
});

test('object types other than executables and shared objects', () => {
  rejects(() => parseElf(patched((v) => v.setUint16(16, 1, true)), 'x'), /^unsupported ELF type: relocatable object/);
  rejects(() => parseElf(patched((v) => v.setUint16(16, 4, true)), 'x'), /^unsupported ELF type: core dump/);
});

test('table offsets and counts out of range name the offset', () => {
  const bytes = original();
  const size = bytes.length;
  const shoffPastEnd = patched((v) => v.setBigUint64(40, BigInt(size + 64), true));
  rejects(() => parseElf(shoffPastEnd, 'x'), /^section header table .* extends past the end of the file/);
  const hugePhoff = patched((v) => v.setBigUint64(32, 0xffffffffffff0000n, true));
  rejects(() => parseElf(hugePhoff, 'x'), /^program header table/);
  const badShstrndx = patched((v) => v.setUint16(62, 999, true));
  const e = rejects(() => parseElf(badShstrndx, 'x'), /^section name table index 999 out of range/);
  assert.equal(e.offset, 62);
  const badEntsize = patched((v) => v.setUint16(54, 32, true));
  rejects(() => parseElf(badEntsize, 'x'), /^unexpected program header entry size 32/);
});

test('a section name index past the name table', () => {
  const bytes = original();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(40, true));
  v.setUint32(shoff + 64, 0x7fffffff, true); // sh_name of section 1
  const e = rejects(() => parseElf(bytes, 'x'), /^section name: string table index 2147483647 out of range/);
  assert.equal(e.offset, shoff + 64);
});

/** Sets the value of the first dynamic entry with `tag` in a copy of a real object. */
function setDynamic(bytes: Uint8Array, elf: ElfFile, tag: number, value: number): void {
  const dyn = elf.segments.find((p) => p.type === 2)!;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = dyn.offset; o < dyn.offset + dyn.filesz; o += 16) {
    if (Number(v.getBigUint64(o, true)) === tag) {
      v.setBigUint64(o + 8, BigInt(value), true);
      return;
    }
  }
  assert.fail(`no dynamic tag ${tag}`);
}

test('a RELR table that would expand past the file size is rejected, quickly', { skip: !existsSync(LDSO) }, () => {
  const bytes = new Uint8Array(readFileSync(LDSO));
  const elf = parseElf(bytes, LDSO);
  const text = elf.sections.find((s) => s.name === '.text')!;
  // Pairs of (address 0, all-ones bitmap): 64 relocations of file-backed words per 16 bytes of table.
  const v = new DataView(bytes.buffer);
  const size = text.size - (text.size % 16);
  for (let o = 0; o < size; o += 16) {
    v.setBigUint64(text.offset + o, 0n, true);
    v.setBigUint64(text.offset + o + 8, 0xffffffffffffffffn, true);
  }
  setDynamic(bytes, elf, 36, text.addr); // DT_RELR
  setDynamic(bytes, elf, 35, size); // DT_RELRSZ
  const t0 = performance.now();
  rejects(() => parseElf(bytes, 'relr-bomb'), /^RELR table expands to more relocations than the file has words$/);
  assert.ok(performance.now() - t0 < 1000);
});

test('symbol names running into one long unterminated string are rejected, quickly', { skip: !existsSync(LIBC) }, () => {
  const bytes = new Uint8Array(readFileSync(LIBC));
  const dynstr = parseElf(bytes, LIBC).sections.find((s) => s.name === '.dynstr')!;
  bytes.fill(0x41, dynstr.offset, dynstr.offset + dynstr.size - 1);
  const t0 = performance.now();
  rejects(() => parseElf(bytes, 'long-strings'), /^strings overlap too much/);
  assert.ok(performance.now() - t0 < 1000);
});
