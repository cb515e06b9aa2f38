// Worker entry: compute the facts of one ELF file whose bytes (and hash) the main thread already has.
import { parentPort } from 'node:worker_threads';
import { parseElf } from '../elf/read.js';
import { analyzeObject } from '../program/analyze-object.js';
import { FactsCache } from './facts-cache.js';
import { workerFailure } from './worker-failure.js';
import { withDebugSymbols, type DebugSymbols } from '../link/debug-symbols.js';

parentPort!.on('message', (m: { cacheDir?: string; bytes: Uint8Array; hash: string; displayPath: string; symbols?: DebugSymbols }) => {
  try {
    const elf = parseElf(m.bytes, m.displayPath);
    const facts = analyzeObject(m.symbols ? withDebugSymbols(elf, m.symbols) : elf, m.hash);
    // Serialising for the cache here keeps that work off the main thread.
    const cacheError = new FactsCache(m.cacheDir).put(facts);
    parentPort!.postMessage({ facts, ...(cacheError ? { cacheError } : {}) });
  } catch (e) {
    parentPort!.postMessage({ failure: workerFailure(e, m.displayPath) });
  }
});
