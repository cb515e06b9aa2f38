// Worker entry: parse one ELF file and compute its facts.
import { parentPort } from 'node:worker_threads';
import { readElfFile } from '../elf/read.js';
import { analyzeObject } from '../program/analyze-object.js';
import { sha256 } from './facts-cache.js';
import { InputError } from '../errors.js';

parentPort!.on('message', (m: { hostPath: string; displayPath: string }) => {
  try {
    const elf = readElfFile(m.hostPath, m.displayPath);
    parentPort!.postMessage({ facts: analyzeObject(elf, sha256(elf.bytes)) });
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ error: err.message, file: e instanceof InputError ? e.file : m.displayPath, problem: e instanceof InputError ? e.problem : err.message });
  }
});
