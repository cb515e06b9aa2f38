// `confine serve [--port N] [--cache-dir DIR] [--workspace FILE]`: the UI in a browser, served on
// 127.0.0.1 only. Prints the URL (with its one-time token) and runs until SIGINT/SIGTERM.
import { cacheLayout, defaultCacheRoot } from '../analysis/cache/layout.js';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../analysis/errors.js';
import { startWebHost, type WebHost } from './web-host.js';
import { CANCEL_GRACE_MS } from './service/jobs.js';

export const SERVE_USAGE = 'confine serve [--port N] [--cache-dir DIR] [--workspace FILE]';

export interface ServeOptions {
  port: number;
  cacheDir: string;
  workspaceFile: string;
}


/** Parses serve's arguments; InputError on bad ones. */
export function parseServeArgs(argv: string[]): ServeOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: { port: { type: 'string' }, 'cache-dir': { type: 'string' }, workspace: { type: 'string' } },
      strict: true,
    }));
  } catch (e) {
    throw new InputError('serve', `${(e as Error).message} (usage: ${SERVE_USAGE})`);
  }
  const port = values.port !== undefined ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError('serve', '--port takes a port number (0 picks a free one)');
  const cacheDir = values['cache-dir'] ? resolve(values['cache-dir']) : defaultCacheRoot();
  const workspaceFile = values.workspace ? resolve(values.workspace) : cacheLayout(cacheDir).workspace;
  return { port, cacheDir, workspaceFile };
}

/** Starts the web host and prints `Confine UI available at <url>`. */
export async function startServe(o: ServeOptions): Promise<WebHost> {
  let host: WebHost;
  try {
    host = await startWebHost({
      port: o.port,
      cacheDir: o.cacheDir,
      workspaceFile: o.workspaceFile,
      // Each URL opens one browser session; the next one is printed when it has been used.
      onNewUrl: (url) => process.stdout.write(`Confine UI: that access URL has been used; for another browser or tab open ${url}\n`),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new InputError(`--port ${o.port}`, 'the port is in use on 127.0.0.1');
    if (code === 'EACCES') throw new InputError(`--port ${o.port}`, 'not allowed to listen on this port');
    throw e;
  }
  process.stdout.write(`Confine UI available at ${host.url}\n`);
  return host;
}

/** Resolves on the first SIGINT or SIGTERM; the handlers are in place as soon as this returns. */
export function nextStopSignal(): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Starts the web host (printing its URL) and runs until SIGINT or SIGTERM, then stops running
 * analyses and closes. The signal handlers are installed before the URL is printed, so a signal
 * sent as soon as the URL appears stops the server cleanly.
 */
export async function serve(o: ServeOptions): Promise<number> {
  const stopped = nextStopSignal();
  const host = await startServe(o);
  await stopped;
  // Running analyses get their grace to clean up (phase 1 removes its container); a job that still
  // holds on after it must not keep the server alive: SIGTERM always ends it.
  const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), CANCEL_GRACE_MS + 5000).unref());
  if ((await Promise.race([host.close().then(() => 'closed' as const), deadline])) === 'late') {
    process.stderr.write('confine serve: an analysis did not stop in time; exiting anyway\n');
    process.exit(1);
  }
  return 0;
}

/** The `serve` command. */
export async function cmdServe(argv: string[]): Promise<number> {
  return serve(parseServeArgs(argv));
}
