// The two ways the UI runs, for one end-to-end suite: the browser mode (Debian's Chromium against
// `confine serve`) and the Electron app. Each launcher says why it cannot run where it cannot.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, _electron, type Browser, type ElectronApplication, type Page } from 'playwright-core';
import { REPO_ROOT } from '../test/support/paths.js';

/** A running UI: a page to drive and how to stop everything that was started. */
export interface RunningUi {
  page: Page;
  /** Where downloads land (browser) or undefined when the host saves natively (Electron). */
  downloads: boolean;
  close(): Promise<void>;
}

export interface Launcher {
  name: 'browser' | 'electron';
  /** Why this launcher cannot run here, or undefined. */
  unavailable(): string | undefined;
  start(opts: { cacheDir: string; workspace: string }): Promise<RunningUi>;
}

export const CHROMIUM = '/usr/bin/chromium';
// Flags for a closed network and a root user (the probe's own set, see the machine notes).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1440, height: 900 };

/** Starts `confine serve` and resolves with its URL once it prints it. */
function startServe(cacheDir: string, workspace: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'confine'), 'serve', '--port', '0', '--cache-dir', cacheDir, '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`confine serve printed no URL in 30 s:\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /Confine UI available at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    });
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`confine serve exited with ${code}:\n${out}\n${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const browserLauncher: Launcher = {
  name: 'browser',
  unavailable: () => (existsSync(CHROMIUM) ? undefined : `Debian's chromium is not installed (${CHROMIUM}); scripts/setup.sh installs it`),
  async start({ cacheDir, workspace }) {
    const { url, child } = await startServe(cacheDir, workspace);
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const ctx = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
      const page = await ctx.newPage();
      // The exchange redirects to /#token=S (the session secret); the page must take it out of the address bar.
      await page.goto(url);
      const token = new URL(url).searchParams.get('token');
      if ((token && page.url().includes(token)) || page.url().includes('token=')) throw new Error(`a secret is still in the address bar: ${page.url()}`);
      const b = browser;
      return {
        page,
        downloads: true,
        close: async () => {
          await b.close();
          await stop(child);
        },
      };
    } catch (e) {
      await browser?.close();
      await stop(child);
      throw e;
    }
  },
};

/** The Electron binary the `electron` package would run, if it was installed. */
function electronBinary(): string | undefined {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

export const electronLauncher: Launcher = {
  name: 'electron',
  unavailable() {
    if (!electronBinary()) return 'the Electron binary is not installed (it cannot be downloaded on this machine; the electron package was installed without it)';
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display (DISPLAY/WAYLAND_DISPLAY unset) for an Electron window';
    // The app refuses to turn Chromium's sandbox off, and the sandbox refuses root (as npm start says).
    if (process.getuid?.() === 0) return "running as root, where Electron's sandbox refuses to start";
    return undefined;
  },
  async start({ cacheDir, workspace }) {
    const app: ElectronApplication = await _electron.launch({
      executablePath: electronBinary(),
      args: [join(REPO_ROOT, 'dist', 'electron', 'main.js'), '--cache-dir', cacheDir, '--workspace', workspace],
    });
    const page = await app.firstWindow();
    await page.setViewportSize(VIEWPORT);
    return { page, downloads: false, close: () => app.close() };
  },
};
