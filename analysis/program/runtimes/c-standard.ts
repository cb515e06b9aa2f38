// What every C runtime shares: the functions the C, POSIX and C++ ABI standards declare noreturn,
// and the runtime for C code whose libc shows no mark of its own (a plain C object, a static
// binary of an unknown libc).
import type { Runtime } from './types.js';

/** Declared noreturn by C (abort, exit, ...), POSIX (_exit, siglongjmp, pthread_exit), BSD err(3) and the C++ ABI (__cxa_throw, _Unwind_Resume). */
export const STANDARD_NORETURN: readonly string[] = [
  'abort', 'exit', '_exit', '_Exit', 'quick_exit', '__stack_chk_fail', '__assert_fail', 'longjmp', '_longjmp',
  'siglongjmp', 'pthread_exit', 'err', 'errx', 'verr', 'verrx', '__cxa_throw', '__cxa_rethrow', '__cxa_bad_cast',
  '__cxa_bad_typeid', '__cxa_throw_bad_array_new_length', '_Unwind_Resume', '__cxa_call_unexpected',
];

const standard = new Set(STANDARD_NORETURN);

export const cRuntime: Runtime = {
  name: 'c',
  detect: () => true,
  noreturnImport: (symbol) => standard.has(symbol),
};
