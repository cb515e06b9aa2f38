// A one-file image whose program makes exactly one kind of syscall (pause, in a loop): every other
// syscall logged in its container was made by the container runtime before exec.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import tar from 'tar-stream';

export const PROBE_PROGRAM = '/confine-probe';
/** comm of the probe after exec (the kernel keeps the file's base name). */
export const PROBE_COMM = 'confine-probe';
/** The only syscall the probe makes. */
export const PROBE_SYSCALL = 34; // pause

/** A static x86-64 ELF executable: `loop: mov eax, 34; syscall; jmp loop`. */
export function probeElf(): Buffer {
  const code = Buffer.from([0xb8, PROBE_SYSCALL, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7]);
  const base = 0x400000;
  const codeOff = 64 + 56;
  const b = Buffer.alloc(codeOff + code.length);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // little endian
  b[6] = 1; // EV_CURRENT
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // EM_X86_64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(base + codeOff), 24); // e_entry
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52); // e_ehsize
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt16LE(64, 58); // e_shentsize
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(5, 68); // PF_R | PF_X
  b.writeBigUInt64LE(0n, 72); // p_offset
  b.writeBigUInt64LE(BigInt(base), 80); // p_vaddr
  b.writeBigUInt64LE(BigInt(base), 88); // p_paddr
  b.writeBigUInt64LE(BigInt(b.length), 96); // p_filesz
  b.writeBigUInt64LE(BigInt(b.length), 104); // p_memsz
  b.writeBigUInt64LE(0x1000n, 112); // p_align
  code.copy(b, codeOff);
  return b;
}

/**
 * Imports the probe image into the engine and returns its reference, a tag of this use alone: the
 * caller removes it when done, and two analyses probing at once (the CLI and the app, analyze and
 * verify) never remove the image the other one is about to start. The image is a few hundred bytes.
 */
export async function importProbeImage(docker: Docker): Promise<string> {
  const elf = probeElf();
  const tag = `${createHash('sha256').update(elf).digest('hex').slice(0, 12)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const pack = tar.pack();
  pack.entry({ name: PROBE_PROGRAM.slice(1), mode: 0o755 }, elf);
  pack.finalize();
  const stream = await docker.importImage(pack as unknown as NodeJS.ReadableStream, {
    repo: 'confine/runtime-probe',
    tag,
    changes: [`CMD ["${PROBE_PROGRAM}"]`, 'LABEL confine=runtime-probe'],
  } as unknown as object);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  return `confine/runtime-probe:${tag}`;
}
