// A worker's failure arrives as what it was: bad input as an InputError (exit 2, the UI's one line),
// a defect of ours as an internal error with its stack (exit 1), never the one dressed as the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureError, workerFailure } from './worker-failure.js';
import { FactsPool } from './worker-pool.js';
import { InputError } from '../errors.js';
import { LimitError } from '../limits/limits.js';

/** What the receiving side gets: the failure as data through a real structured clone, as postMessage sends it. */
const across = (e: unknown, file: string): Error => failureError(structuredClone(workerFailure(e, file)));

test('a defect of ours stays internal, with its type, message and stack', () => {
  const bug = new RangeError('Invalid typed array length: 4503599627370496');
  const e = across(bug, '/bin/prog');
  assert.ok(!(e instanceof InputError), 'reported as bad input');
  assert.equal(e.message, 'internal error while analysing /bin/prog: RangeError: Invalid typed array length: 4503599627370496');
  assert.equal(e.stack, bug.stack);
  // Thrown non-errors too.
  assert.match(across('oops', '/lib/x.so').message, /^internal error while analysing \/lib\/x\.so: Error: oops$/);
});

test('bad input stays bad input, naming its file; a limit keeps its name', () => {
  const e = across(new InputError('/lib/libc.so.6', 'truncated section headers'), '/lib/libc.so.6');
  assert.ok(e instanceof InputError);
  assert.equal(e.message, '/lib/libc.so.6: truncated section headers');
  const l = across(new LimitError('/bin/prog', 'relocations', 'too many relocations'), '/bin/prog');
  assert.ok(l instanceof InputError);
  assert.equal((l as InputError & { limit?: string }).limit, 'relocations');
  assert.match(l.message, /^\/bin\/prog: /);
});

test('through a real worker: a file that is not ELF is bad input naming the file', async () => {
  const pool = new FactsPool(1);
  try {
    await assert.rejects(pool.run(new TextEncoder().encode('#!/bin/sh\necho not an object\n'), 'h', '/usr/bin/not-elf'), (e: Error) => e instanceof InputError && /^\/usr\/bin\/not-elf: /.test(e.message));
  } finally {
    await pool.close();
  }
});
