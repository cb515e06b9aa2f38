// Worker entry: compute the facts of one ELF file whose bytes (and hash) the main thread already has.
import { parentPort } from 'node:worker_threads';
import { parseElf } from '../elf/read.js';
import { analyzeObject } from '../program/analyze-object.js';
import { InputError } from '../errors.js';
import { FactsCache } from './facts-cache.js';

parentPort!.on('message', (m: { cacheDir?: string; bytes: Uint8Array; hash: string; displayPath: string }) => {
  try {
    const facts = analyzeObject(parseElf(m.bytes, m.displayPath), m.hash);
    // Serialising for the cache here keeps that work off the main thread.
    new FactsCache(m.cacheDir).put(facts);
    parentPort!.postMessage({ facts });
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ error: err.message, file: e instanceof InputError ? e.file : m.displayPath, problem: e instanceof InputError ? e.problem : err.message });
  }
});
