// The ELF reader's public API: parsing, the data model, and address-space helpers.
export { parseElf, readElfFile } from './read.js';
export {
  executableRanges,
  isExecutableAddress,
  readCString,
  readU32,
  readU64,
  readVirtual,
  sectionAt,
  vaddrToOffset,
  type AddressRange,
} from './memory.js';
export * from './types.js';
