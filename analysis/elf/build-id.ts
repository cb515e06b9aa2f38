// The GNU build-id note (NT_GNU_BUILD_ID): the identity a separate debug file shares with the
// object it was split from.
import { NT_GNU_BUILD_ID, type ElfFile } from './types.js';

/** The build-id as lowercase hex, or undefined when the object has none. */
export function buildId(elf: ElfFile): string | undefined {
  const note = elf.notes.find((n) => n.name === 'GNU' && n.type === NT_GNU_BUILD_ID && n.desc.length >= 8);
  return note ? Buffer.from(note.desc).toString('hex') : undefined;
}
