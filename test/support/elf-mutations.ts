// Mutations of real ELF files for fuzz tests (the reader's own, and the whole pipeline's): the
// structures the reader decodes are corrupted on purpose (header fields, program and section
// headers, dynamic entries, section contents, truncation, copies), reproducibly from one seed.
import { readFileSync } from 'node:fs';
import { parseElf } from '../../analysis/elf/index.js';

/** mulberry32: small, fast, and reproducible from one 32-bit seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Subject {
  path: string;
  bytes: Uint8Array;
  /** File extents of the structures the reader decodes, for targeted corruption. */
  regions: { name: string; offset: number; size: number }[];
  phoff: number;
  phnum: number;
  shoff: number;
  shnum: number;
  dynamic?: { offset: number; count: number };
  addresses: number[];
}

export function subject(path: string): Subject {
  const bytes = new Uint8Array(readFileSync(path));
  const elf = parseElf(bytes, path);
  const v = new DataView(bytes.buffer);
  const regions = elf.sections
    .filter((s) => s.type !== 8 && s.size > 0)
    .map((s) => ({ name: s.name, offset: s.offset, size: s.size }));
  const dyn = elf.segments.find((p) => p.type === 2);
  return {
    path,
    bytes,
    regions,
    phoff: Number(v.getBigUint64(32, true)),
    phnum: v.getUint16(56, true),
    shoff: Number(v.getBigUint64(40, true)),
    shnum: v.getUint16(60, true),
    dynamic: dyn && { offset: dyn.offset, count: Math.floor(dyn.filesz / 16) },
    addresses: [
      elf.entry,
      ...elf.sections.flatMap((s) => [s.addr, s.addr + s.size - 1, s.addr + s.size]),
      ...elf.segments.flatMap((p) => [p.vaddr, p.vaddr + p.filesz - 1, p.vaddr + p.memsz]),
    ],
  };
}

/** Mutates a copy of the subject; returns the bytes and a description to reproduce by hand. */
export function mutate(s: Subject, rnd: () => number): { bytes: Uint8Array; steps: string[] } {
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];
  let bytes = s.bytes.slice();
  let v = new DataView(bytes.buffer);
  const steps: string[] = [];
  const extreme = (width: 2 | 4 | 8): bigint => {
    const len = BigInt(bytes.length);
    const max = (1n << BigInt(width * 8)) - 1n;
    const choices = [0n, 1n, 2n, 8n, 0x7fn, 0x80n, 0xffffn, 0x7fffffffn, 0xffffffffn, 1n << 63n, max, max - 1n];
    choices.push(len, len - 1n, len + 1n, len / 2n, BigInt(int(2 ** 32)), BigInt(int(2 ** 32)) * 4294967296n + BigInt(int(2 ** 32)));
    return pick(choices) & max;
  };
  const write = (at: number, width: 2 | 4 | 8, what: string, value = extreme(width)): void => {
    if (at < 0 || at + width > bytes.length) return;
    if (width === 2) v.setUint16(at, Number(value), true);
    else if (width === 4) v.setUint32(at, Number(value), true);
    else v.setBigUint64(at, value, true);
    steps.push(`${what}@${at}=${value}`);
  };
  const nudge = (at: number, width: 4 | 8, what: string): void => {
    if (at < 0 || at + width > bytes.length) return;
    const old = width === 4 ? BigInt(v.getUint32(at, true)) : v.getBigUint64(at, true);
    const delta = BigInt(pick([-4096, -64, -8, -1, 1, 8, 64, 4096, 1 << 20]));
    write(at, width, what, (old + delta) & ((1n << BigInt(width * 8)) - 1n));
  };
  if (rnd() < 0.3) {
    // Without section headers the reader falls back on the dynamic section and PT_GNU_EH_FRAME.
    v.setBigUint64(40, 0n, true);
    v.setUint32(60, 0, true);
    steps.push('strip-sections');
  }
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const kind = int(9);
    if (kind === 0) {
      const n = 1 + int(16);
      for (let i = 0; i < n; i++) bytes[int(bytes.length)] = int(256);
      steps.push(`flip ${n} bytes`);
    } else if (kind === 1) {
      const [at, width, name] = pick<[number, 2 | 4 | 8, string]>([
        [16, 2, 'e_type'],
        [24, 8, 'e_entry'],
        [32, 8, 'e_phoff'],
        [40, 8, 'e_shoff'],
        [54, 2, 'e_phentsize'],
        [56, 2, 'e_phnum'],
        [58, 2, 'e_shentsize'],
        [60, 2, 'e_shnum'],
        [62, 2, 'e_shstrndx'],
      ]);
      write(at, width, name);
    } else if (kind === 2 && s.phnum > 0) {
      const base = s.phoff + int(s.phnum) * 56;
      const [off, width, name] = pick<[number, 4 | 8, string]>([
        [0, 4, 'p_type'],
        [4, 4, 'p_flags'],
        [8, 8, 'p_offset'],
        [16, 8, 'p_vaddr'],
        [32, 8, 'p_filesz'],
        [40, 8, 'p_memsz'],
        [48, 8, 'p_align'],
      ]);
      if (rnd() < 0.5) nudge(base + off, width, name);
      else write(base + off, width, name);
    } else if (kind === 3 && s.shnum > 0) {
      const base = s.shoff + int(s.shnum) * 64;
      const [off, width, name] = pick<[number, 4 | 8, string]>([
        [0, 4, 'sh_name'],
        [4, 4, 'sh_type'],
        [16, 8, 'sh_addr'],
        [24, 8, 'sh_offset'],
        [32, 8, 'sh_size'],
        [40, 4, 'sh_link'],
        [44, 4, 'sh_info'],
        [56, 8, 'sh_entsize'],
      ]);
      if (rnd() < 0.5) nudge(base + off, width, name);
      else write(base + off, width, name);
    } else if (kind === 4 && s.dynamic) {
      const at = s.dynamic.offset + int(s.dynamic.count) * 16;
      const choice = int(3);
      if (choice === 0) write(at + 8, 8, 'd_val');
      else if (choice === 1) nudge(at + 8, 8, 'd_val');
      else {
        const tags = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 20, 23, 25, 26, 27, 28, 32, 33, 35, 36, 37];
        const gnu = [0x6ffffef5, 0x6ffffff0, 0x6ffffffc, 0x6ffffffd, 0x6ffffffe, 0x6fffffff];
        write(at, 8, 'd_tag', BigInt(pick([...tags, ...gnu])));
      }
    } else if (kind === 5 && s.regions.length > 0) {
      const region = pick(s.regions);
      const n = 1 + int(8);
      for (let i = 0; i < n; i++) {
        const at = region.offset + int(region.size);
        if (rnd() < 0.5) bytes[at] = int(256);
        else write(at - (at % 4), 4, `${region.name} word`);
      }
      steps.push(`corrupt ${region.name} (${n})`);
    } else if (kind === 6) {
      const len = int(bytes.length);
      bytes = bytes.slice(0, len);
      v = new DataView(bytes.buffer);
      steps.push(`truncate to ${len}`);
    } else if (kind === 7) {
      const len = 1 + int(512);
      const src = int(bytes.length);
      const dst = int(bytes.length);
      bytes.copyWithin(dst, src, src + len);
      steps.push(`copy ${len} bytes ${src} -> ${dst}`);
    } else {
      const region = s.regions.length > 0 ? pick(s.regions) : undefined;
      if (region) {
        const at = region.offset + (region.size >= 8 ? int(region.size - 7) : 0);
        write(at, 8, `${region.name} u64`);
      }
    }
  }
  return { bytes, steps };
}
