// A failure crosses a thread boundary as plain data, and must arrive as what it was: bad input the
// user can fix (an InputError naming the file: exit 2, the UI's one-line error) or a defect of the
// engine (an internal error: exit 1, reported with its stack). Treating every worker failure as bad
// input would tell a user their file is broken when our code is.
import { InputError } from '../errors.js';
import { LimitError, type LimitName } from '../limits/limits.js';

/** A failure as a worker posts it. */
export type WorkerFailure =
  | { kind: 'input'; file: string; problem: string; limit?: LimitName }
  | { kind: 'internal'; file: string; message: string; stack?: string };

/** Turns what a worker caught into data. */
export function workerFailure(e: unknown, file: string): WorkerFailure {
  if (e instanceof LimitError) return { kind: 'input', file: e.file, problem: e.problem, limit: e.limit };
  if (e instanceof InputError) return { kind: 'input', file: e.file, problem: e.problem };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'internal', file, message: `${err.name}: ${err.message}`, stack: err.stack };
}

/** The error a failure stands for, on the receiving side. */
export function failureError(f: WorkerFailure): Error {
  if (f.kind === 'input') return f.limit ? Object.assign(new InputError(f.file, f.problem), { name: 'LimitError', limit: f.limit }) : new InputError(f.file, f.problem);
  const e = new Error(`internal error while analysing ${f.file}: ${f.message}`);
  if (f.stack) e.stack = f.stack;
  return e;
}
