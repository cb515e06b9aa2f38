// What `npm start` runs: the Electron app when it can start here, otherwise (no Electron binary,
// no display, running as root) one line saying why and the UI in browser mode on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseServeArgs, serve } from './serve.js';
import { InputError } from '../analysis/errors.js';

/** Why Electron cannot start here, or its binary when it can. */
export function electronBinary(env: NodeJS.ProcessEnv = process.env): { path: string } | { why: string } {
  let path: unknown;
  try {
    // The electron package's main export is the path of its binary (it throws when it was never downloaded).
    path = createRequire(import.meta.url)('electron');
  } catch {
    return { why: 'binary not installed' };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { why: 'binary not installed' };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { why: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  if (process.getuid?.() === 0) return { why: "running as root, where Chromium's sandbox refuses to start" };
  return { path };
}

async function main(argv: string[]): Promise<number> {
  const bin = electronBinary();
  if ('path' in bin) {
    const mainJs = fileURLToPath(new URL('./main.js', import.meta.url));
    const child = spawn(bin.path, [mainJs, ...argv], { stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  }
  const opts = parseServeArgs(argv);
  process.stdout.write(`Electron is not available (${bin.why}): serving the UI in browser mode instead\n`);
  return serve(opts);
}

// Run only as the entry point (tests import electronBinary).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    process.stderr.write(`confine: ${e.message}\n`);
    process.exitCode = 2;
  }
}
