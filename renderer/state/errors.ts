// Errors for the banner: every failed request ends up here with what the user was doing.
import type { GetState, Slice } from './types.js';

export interface AppError {
  id: number;
  /** What the user was doing, e.g. "Loading the report". */
  context: string;
  message: string;
  /** How many times the same error happened in a row. */
  count: number;
}

export interface ErrorsSlice {
  errors: AppError[];
  reportError(context: string, e: unknown): void;
  dismissError(id: number): void;
  clearErrors(): void;
}

/** The banner keeps the newest few. */
export const MAX_ERRORS = 5;

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

let nextErrorId = 1;

export const createErrorsSlice: Slice<ErrorsSlice> = (set) => ({
  errors: [],
  reportError(context, e) {
    const message = errorMessage(e);
    set((s) => {
      const last = s.errors[s.errors.length - 1];
      if (last && last.context === context && last.message === message) {
        return { errors: [...s.errors.slice(0, -1), { ...last, count: last.count + 1 }] };
      }
      return { errors: [...s.errors, { id: nextErrorId++, context, message, count: 1 }].slice(-MAX_ERRORS) };
    });
  },
  dismissError(id) {
    set((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
  },
  clearErrors() {
    set({ errors: [] });
  },
});

/** Runs a request; a failure goes to the banner (with `context`) and yields undefined. */
export async function guard<T>(get: GetState, context: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    get().reportError(context, e);
    return undefined;
  }
}
