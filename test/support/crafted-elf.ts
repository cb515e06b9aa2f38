// Small x86-64 ELF files written field by field, for hostile-input tests: the structures a mutated
// real file would need thousands of tries to hit (repeated program headers, overlapping relocation
// sections, thousands of DT_NEEDED entries) are built directly. Offsets follow the gABI layouts.
export const BASE = 0x400000;

export interface Phdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz?: number;
}

export interface Shdr {
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  entsize?: number;
}

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PF_X = 1;
export const PF_R = 4;
export const SHT_NULL = 0;
export const SHT_RELA = 4;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;

/** `exit(0)`: mov eax, 60; xor edi, edi; syscall. */
export const EXIT_CODE = Buffer.from([0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05]);

/**
 * An ET_EXEC file: header, `phdrs(layout)` program headers, then `body` (code first), then the
 * section headers. `phdrs` and `shdrs` get the file offset of the body to place their extents.
 */
export function craftElf(body: Buffer, phdrs: (bodyOff: number, fileLength: number) => Phdr[], shdrs: (bodyOff: number) => Shdr[] = () => []): Buffer {
  const phCount = phdrs(0, 0).length;
  const bodyOff = 64 + 56 * phCount;
  const sh = shdrs(bodyOff);
  const shoff = bodyOff + body.length + ((8 - (body.length % 8)) % 8);
  const shnum = sh.length > 0 ? sh.length + 1 : 0;
  const ph = phdrs(bodyOff, shoff + 64 * shnum);
  const b = Buffer.alloc(shoff + 64 * shnum);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2;
  b[5] = 1;
  b[6] = 1;
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18);
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(BASE + bodyOff), 24); // entry: the start of the body
  b.writeBigUInt64LE(64n, 32);
  b.writeBigUInt64LE(BigInt(shnum ? shoff : 0), 40);
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(phCount, 56);
  b.writeUInt16LE(64, 58);
  b.writeUInt16LE(shnum, 60);
  ph.forEach((p, i) => {
    const o = 64 + 56 * i;
    b.writeUInt32LE(p.type, o);
    b.writeUInt32LE(p.flags, o + 4);
    b.writeBigUInt64LE(BigInt(p.offset), o + 8);
    b.writeBigUInt64LE(BigInt(p.vaddr), o + 16);
    b.writeBigUInt64LE(BigInt(p.vaddr), o + 24);
    b.writeBigUInt64LE(BigInt(p.filesz), o + 32);
    b.writeBigUInt64LE(BigInt(p.memsz ?? p.filesz), o + 40);
    b.writeBigUInt64LE(0x1000n, o + 48);
  });
  body.copy(b, bodyOff);
  sh.forEach((s, i) => {
    const o = shoff + 64 * (i + 1);
    b.writeUInt32LE(s.type, o + 4);
    b.writeBigUInt64LE(BigInt(s.flags), o + 8);
    b.writeBigUInt64LE(BigInt(s.addr), o + 16);
    b.writeBigUInt64LE(BigInt(s.offset), o + 24);
    b.writeBigUInt64LE(BigInt(s.size), o + 32);
    b.writeBigUInt64LE(8n, o + 48);
    b.writeBigUInt64LE(BigInt(s.entsize ?? 0), o + 56);
  });
  return b;
}

/** One read-execute PT_LOAD mapping the whole file at BASE (the usual layout of a tiny static program). */
export function wholeFile(_bodyOff: number, fileLength: number): Phdr[] {
  return [{ type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: BASE, filesz: fileLength }];
}
