// Worker entry: compute the facts of one ELF file whose bytes (and hash) the main thread already has.
import { parentPort } from 'node:worker_threads';
import { parseElf } from '../elf/read.js';
import { analyzeObject } from '../program/analyze-object.js';
import { InputError } from '../errors.js';

parentPort!.on('message', (m: { bytes: Uint8Array; hash: string; displayPath: string }) => {
  try {
    parentPort!.postMessage({ facts: analyzeObject(parseElf(m.bytes, m.displayPath), m.hash) });
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ error: err.message, file: e instanceof InputError ? e.file : m.displayPath, problem: e instanceof InputError ? e.problem : err.message });
  }
});
