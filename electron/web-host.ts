// Browser mode (`confine serve`): the built renderer and the API over a WebSocket, on 127.0.0.1
// only. The service can drive the Docker engine, so this is guarded like root access: a random
// launch token in the printed URL, valid once, exchanged for a session (web-sessions.ts): an
// HttpOnly SameSite=Strict cookie that every request needs; Host checked against the loopback
// names (DNS rebinding); Origin required on upgrades and checked against Host (cross-site
// requests, WebSocket hijacking); a strict CSP.
// The cookie alone does not open the API: browsers send 127.0.0.1's cookies to every port of
// 127.0.0.1 (RFC 6265 section 8.5), so any local server the user visits gets it. So the exchange
// also redirects to `/#token=S`, S the session's own API secret (a fragment never reaches a
// server); the renderer keeps S in sessionStorage, and every upgrade must carry S as a
// subprotocol as well as the session's cookie (ws-protocol.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { API_METHODS, type ApiMethod, type ConfineEvents } from './api.js';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_PREFIX, type WsEvent, type WsRequest, type WsResponse } from './ws-protocol.js';
import { ConfineService } from './service/service.js';
import { readStatic, safeSegments } from './static-files.js';
import { WebSessions, type Session } from './web-sessions.js';

export interface WebHostOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  cacheDir: string;
  workspaceFile: string;
  /** The built renderer (default: dist/ui next to this module's directory). */
  rendererDir?: string;
  docker?: Docker;
  /** The first launch token (default: 32 random bytes, hex); letters, digits, '_' and '-' only. */
  token?: string;
  /** How long a session may stay without an open connection (default web-sessions.ts IDLE_MS). */
  idleMs?: number;
  /** Called with the next URL to open once the current one has been used. */
  onNewUrl?: (url: string) => void;
}

export interface WebHost {
  /** The URL to open now: it carries a launch token that works once. */
  readonly url: string;
  port: number;
  server: Server;
  service: ConfineService;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_MESSAGE_BYTES = 16 << 20;

const NOT_BUILT_PAGE = '<!doctype html><meta charset="utf-8"><title>Confine</title><p>The Confine UI is not built yet: build the renderer into dist/ui (npm run build:renderer), then reload this page.</p>\n';

/** dist/ui (the Vite build of renderer/; dist/renderer holds tsc's output of its state tests), beside dist/electron. */
export function defaultRendererDir(): string {
  return fileURLToPath(new URL('../ui/', import.meta.url));
}

/** The Content-Security-Policy for a port: scripts and connections to this origin only. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The token a WebSocket upgrade offers as the subprotocol `confine.token.<T>`, if it also offers `confine.v1`. */
function subprotocolToken(req: IncomingMessage): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(WS_SUBPROTOCOL)) return undefined;
  return offered.find((p) => p.startsWith(WS_TOKEN_PREFIX))?.slice(WS_TOKEN_PREFIX.length);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Starts the browser-mode host on 127.0.0.1. */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  let port = 0;
  const launchUrl = (token: string): string => `http://${HOST}:${port}/?token=${token}`;
  const sessions = new WebSessions({ token: opts.token, idleMs: opts.idleMs, onLaunchToken: (t) => opts.onNewUrl?.(launchUrl(t)) });
  const rendererDir = opts.rendererDir ?? defaultRendererDir();
  const clients = new Set<WebSocket>();
  const broadcast = <E extends keyof ConfineEvents>(event: E, data: ConfineEvents[E]): void => {
    const text = JSON.stringify({ event, data } satisfies WsEvent);
    for (const c of clients) if (c.readyState === WebSocket.OPEN) c.send(text);
  };
  const service = new ConfineService({ cacheDir: opts.cacheDir, workspaceFile: opts.workspaceFile, docker: opts.docker, emit: broadcast, transport: 'web' });
  const server = createServer();
  // Answers with confine.v1, never echoing the token subprotocol (the upgrade handler checked both).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, handleProtocols: (offered) => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false) });

  let cookieName = 'confine';
  let csp = '';
  let allowedHosts = new Set<string>();

  const securityHeaders = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  /**
   * 0 when Host and Origin are acceptable, else the status to refuse with. Browsers always send
   * Origin on WebSocket upgrades, so an upgrade without one is not from our page: refuse it.
   * (Top-level page loads carry no Origin, so plain requests may lack it.)
   */
  const checkOrigin = (req: IncomingMessage, originRequired: boolean): number => {
    const host = req.headers.host;
    if (!host || !allowedHosts.has(host)) return 403;
    const origin = req.headers.origin;
    if (origin === undefined ? originRequired : origin !== `http://${host}`) return 403;
    return 0;
  };

  const plain = (res: ServerResponse, status: number, text: string): void => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(text + '\n');
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> => {
    let f = await readStatic(rendererDir, rawPath);
    if (!f) {
      const segments = safeSegments(rawPath);
      const wantsIndex = segments !== undefined && (segments.length === 0 || (segments.length === 1 && segments[0] === 'index.html'));
      if (!wantsIndex || existsSync(join(rendererDir, 'index.html'))) return plain(res, 404, 'Not found');
      f = { body: Buffer.from(NOT_BUILT_PAGE), type: 'text/html; charset=utf-8', index: true };
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', f.type);
    res.setHeader('Content-Length', f.body.length);
    res.setHeader('Cache-Control', f.index ? 'no-store' : 'no-cache');
    res.end(req.method === 'HEAD' ? undefined : f.body);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    securityHeaders(res);
    const refused = checkOrigin(req, false);
    if (refused) return plain(res, refused, 'Forbidden');
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) return plain(res, 400, 'Bad request');
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const given = params.get('token');
    if (given !== null) {
      const session = sessions.exchange(given);
      if (!session) return plain(res, 401, 'Unauthorized: this access URL is wrong or was used already; open the newest URL confine serve printed');
      // Always to "/" (the app's only page): echoing the path would make `//evil.example/?token=T`
      // an open redirect. The session's API secret goes on in the fragment only, for the upgrades.
      res.statusCode = 302;
      res.setHeader('Set-Cookie', `${cookieName}=${session.cookie}; HttpOnly; SameSite=Strict; Path=/`);
      res.setHeader('Location', `/#token=${session.secret}`);
      res.setHeader('Cache-Control', 'no-store');
      res.end();
      return;
    }
    const session = sessions.byCookie(cookieValue(req, cookieName));
    if (!session) return plain(res, 401, 'Unauthorized: no session, or it expired; open the newest URL confine serve printed (it carries a one-time access token)');
    sessions.touch(session);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'Method not allowed');
    }
    if (rawPath === WS_PATH) return plain(res, 426, 'Upgrade required');
    serveFile(req, res, rawPath).catch(() => {
      if (!res.headersSent) plain(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
      socket.destroy();
    };
    socket.on('error', () => socket.destroy());
    const raw = req.url ?? '/';
    const rawPath = raw.split('?')[0];
    const refused = checkOrigin(req, true);
    if (refused) return refuse(refused, 'Forbidden');
    // Both: the cookie (the printed URL was opened in this browser) and the token subprotocol (the
    // page read the fragment), since the cookie also reaches other local servers.
    const session = sessions.authorize(cookieValue(req, cookieName), subprotocolToken(req));
    if (!session) return refuse(401, 'Unauthorized');
    if (rawPath !== WS_PATH) return refuse(404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, session));
  });

  wss.on('connection', (ws: WebSocket, session: Session) => {
    clients.add(ws);
    session.sockets++;
    sessions.touch(session);
    let open = true;
    const closed = (): void => {
      clients.delete(ws);
      if (!open) return;
      open = false;
      session.sockets--;
      sessions.touch(session);
    };
    ws.on('close', closed);
    ws.on('error', closed);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      sessions.touch(session);
      const reply = (r: WsResponse): void => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(r));
      };
      if (isBinary) return;
      let msg: Partial<WsRequest>;
      try {
        msg = JSON.parse(data.toString()) as Partial<WsRequest>;
      } catch {
        return;
      }
      if (!msg || typeof msg !== 'object' || typeof msg.id !== 'number' || !Number.isSafeInteger(msg.id)) return;
      const id = msg.id;
      if (typeof msg.method !== 'string' || !API_METHODS.includes(msg.method as ApiMethod)) return reply({ id, error: `unknown method ${JSON.stringify(msg.method)}` });
      if (!Array.isArray(msg.args)) return reply({ id, error: 'args must be a list' });
      const fn = (service as unknown as Record<ApiMethod, (...a: unknown[]) => Promise<unknown>>)[msg.method as ApiMethod];
      const args = msg.args;
      Promise.resolve()
        .then(() => fn.apply(service, args))
        .then(
          (result) => reply({ id, result: result ?? null }),
          (e: unknown) => reply({ id, error: e instanceof Error ? e.message : String(e) }),
        );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('the web host has no TCP address');
  port = addr.port;
  // Idle sessions end even when nobody asks (a page left closed keeps no door open).
  const sweeper = setInterval(() => sessions.expire(), 60_000);
  sweeper.unref();
  cookieName = `confine_${port}`;
  csp = contentSecurityPolicy(port);
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(sweeper);
      for (const c of clients) c.terminate();
      wss.close();
      await service.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    })());

  return {
    get url() {
      return launchUrl(sessions.launchToken);
    },
    port,
    server,
    service,
    close,
  };
}
