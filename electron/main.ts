// The Electron main process. The window is sandboxed and context-isolated, loads the renderer from
// the privileged app://confine/ scheme (dist/ui, no traversal), may not navigate or open
// windows, and reaches the service only through `confine:invoke`, whose handler checks that the
// call comes from that origin (like VS Code's sender validation) and names a method of the contract.
import { app, BrowserWindow, dialog, ipcMain, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { API_METHODS, type ApiMethod, type ExportResult } from './api.js';
import { ConfineService } from './service/service.js';
import { readStatic } from './static-files.js';
import { cacheLayout, defaultCacheRoot } from '../analysis/cache/layout.js';
// Brings the preload (CommonJS, emitted as preload.cjs) into the compilation; nothing is imported at run time.
import type {} from './preload.cjs';

const SCHEME = 'app';
const APP_HOST = 'confine';
const APP_ORIGIN = `${SCHEME}://${APP_HOST}/`;
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const rendererDir = fileURLToPath(new URL('../ui/', import.meta.url));
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));

// Must happen before the app is ready: app:// behaves like https (standard, secure origin).
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
app.enableSandbox();

// `electron main.js ARGS` (development) has the script at argv[1]; a packaged app starts its ARGS there.
const { values } = parseArgs({ args: process.argv.slice(process.defaultApp ? 2 : 1), options: { 'cache-dir': { type: 'string' }, workspace: { type: 'string' } }, strict: false, allowPositionals: true });
const cacheDir = typeof values['cache-dir'] === 'string' ? values['cache-dir'] : defaultCacheRoot();
const workspaceFile = typeof values.workspace === 'string' ? values.workspace : cacheLayout(cacheDir).workspace;

let mainWindow: BrowserWindow | undefined;

/** The service with a native save dialog. */
class DesktopService extends ConfineService {
  override async saveExport(result: ExportResult): Promise<string | null> {
    if (!result || typeof result.text !== 'string' || typeof result.filename !== 'string') throw new Error('nothing to save');
    const options = { defaultPath: join(app.getPath('documents'), basename(result.filename)) };
    const choice = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return null;
    await writeFile(choice.filePath, result.encoding === 'base64' ? Buffer.from(result.text, 'base64') : result.text);
    return choice.filePath;
  }
}

const service = new DesktopService({
  cacheDir,
  workspaceFile,
  transport: 'electron',
  emit: (event, data) => mainWindow?.webContents.send('confine:event', event, data),
});

/** Only the top frame of our own window, showing our own origin, may call the service. */
function trustedSender(e: IpcMainInvokeEvent): boolean {
  const frame = e.senderFrame;
  return !!frame && frame.parent === null && frame.url.startsWith(APP_ORIGIN) && !!mainWindow && e.sender === mainWindow.webContents;
}

ipcMain.handle('confine:invoke', async (e, method: unknown, args: unknown) => {
  if (!trustedSender(e)) return { error: 'refused: the call does not come from the Confine window' };
  if (typeof method !== 'string' || !API_METHODS.includes(method as ApiMethod)) return { error: `unknown method ${JSON.stringify(method)}` };
  if (!Array.isArray(args)) return { error: 'args must be a list' };
  const fn = (service as unknown as Record<ApiMethod, (...a: unknown[]) => Promise<unknown>>)[method as ApiMethod];
  try {
    return { result: (await fn.apply(service, args)) ?? null };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
});

app.on('web-contents-created', (_e, contents) => {
  // A single-page app never navigates, opens windows or embeds webviews.
  contents.on('will-navigate', (ev) => ev.preventDefault());
  contents.on('will-redirect', (ev) => ev.preventDefault());
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.on('window-all-closed', () => app.quit());
let quitting = false;
app.on('before-quit', (ev) => {
  if (quitting) return;
  // Running analyses are cancelled first (phase 1 removes its container).
  ev.preventDefault();
  quitting = true;
  void service.close().finally(() => app.quit());
});

await app.whenReady();
session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
protocol.handle(SCHEME, async (request) => {
  const url = new URL(request.url);
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' };
  if (url.host !== APP_HOST) return new Response('Not found', { status: 404, headers });
  const f = await readStatic(rendererDir, url.pathname);
  if (!f) return new Response('Not found', { status: 404, headers });
  return new Response(new Uint8Array(f.body), { status: 200, headers: { ...headers, 'Content-Type': f.type } });
});

mainWindow = new BrowserWindow({
  width: 1400,
  height: 900,
  title: 'Confine',
  webPreferences: {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    webviewTag: false,
  },
});
mainWindow.on('closed', () => (mainWindow = undefined));
await mainWindow.loadURL(`${APP_ORIGIN}index.html`);
