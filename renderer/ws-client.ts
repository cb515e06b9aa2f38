// The browser transport: a ConfineBridge over the WebSocket of `confine serve` (electron/ws-protocol.ts).
// One socket, reconnected with exponential backoff; requests made while it is down wait for the next
// connection attempt; every request still waiting when a socket closes is rejected with a message
// the user can act on. No DOM types here (the socket is made by a factory) so it runs under node:test.
// Every upgrade offers the access token as a subprotocol (see takeAccessToken and ws-protocol.ts).
import type { ApiMethod, ConfineApi, ConfineBridge, ConfineEvents, EventName } from '../electron/api.js';
import { WS_SUBPROTOCOL, WS_TOKEN_PREFIX, type WsEvent, type WsRequest, type WsResponse } from '../electron/ws-protocol.js';

/** Where the token is kept between reloads: sessionStorage (this tab only, gone when it closes). */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const TOKEN_KEY = 'confine.token';

/** What the UI says when this tab has no token: it was not opened through the printed URL. */
export const NO_TOKEN_MESSAGE = 'This tab has no access token. Open the URL `confine serve` printed (with ?token=) again; a tab opened from the bare address cannot reach the service.';

/**
 * The access token of this tab. The token exchange redirects to `/#token=T`: a fragment never
 * reaches a server (unlike the cookie, which 127.0.0.1's other ports get too). Taken from there
 * once, kept in `store` so a reload works, and `dropFragment` takes it out of the address bar.
 */
export function takeAccessToken(hash: string, store: TokenStore, dropFragment: () => void): string | undefined {
  const m = /^#token=([\w-]+)$/.exec(hash);
  if (m) {
    store.setItem(TOKEN_KEY, m[1]);
    dropFragment();
    return m[1];
  }
  return store.getItem(TOKEN_KEY) ?? undefined;
}

/** The subprotocols an upgrade offers: the server answers with the first and checks the token in the second. */
export function wsProtocols(token: string): string[] {
  return [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + token];
}

/** The part of a WebSocket this client uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsClientOptions {
  /** Opens a socket to `url` offering `protocols` (in the browser: `(u, p) => new WebSocket(u, p)`). */
  connect: (url: string, protocols: string[]) => SocketLike;
  url: string;
  /** The subprotocols to offer (wsProtocols(token)). */
  protocols?: string[];
  /** Why there is no point connecting (e.g. NO_TOKEN_MESSAGE): the bridge stays closed with this message. */
  unavailable?: string;
  /** First reconnect delay (ms); doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** How long one request may wait for its answer (ms; 0 = forever). */
  timeoutMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

interface Pending {
  method: ApiMethod;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Serialised request, kept until it is sent. */
  frame?: string;
  timer?: unknown;
}

const OPEN = 1;

/** A ConfineBridge over one reconnecting WebSocket. */
export class WsBridge implements ConfineBridge {
  private socket: SocketLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly statusListeners = new Set<(s: ConnectionState, detail?: string) => void>();
  private attempt = 0;
  private retryTimer: unknown;
  private stopped = false;
  private everOpened = false;
  state: ConnectionState = 'closed';
  private detail: string | undefined;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly opts: WsClientOptions) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    if (opts.unavailable !== undefined) {
      this.stopped = true;
      this.setState('closed', opts.unavailable);
    } else this.open();
  }

  invoke<M extends ApiMethod>(method: M, ...args: Parameters<ConfineApi[M]>): ReturnType<ConfineApi[M]> {
    return new Promise<unknown>((resolve, reject) => {
      if (this.stopped) {
        reject(new Error(this.opts.unavailable ?? 'The connection to the Confine service was shut down.'));
        return;
      }
      const id = this.nextId++;
      const req: WsRequest = { id, method, args };
      const p: Pending = { method, resolve, reject, frame: JSON.stringify(req) };
      const timeout = this.opts.timeoutMs ?? 0;
      if (timeout > 0) {
        p.timer = this.setTimer(() => {
          if (this.pending.delete(id)) reject(new Error(`The Confine service did not answer ${method} within ${Math.round(timeout / 1000)} s.`));
        }, timeout);
      }
      this.pending.set(id, p);
      if (this.socket && this.socket.readyState === OPEN) this.flush();
      else if (!this.socket) {
        // Waiting for a backoff timer: try now rather than make the user wait.
        this.reconnectNow();
      }
    }) as ReturnType<ConfineApi[M]>;
  }

  on<E extends EventName>(event: E, listener: (data: ConfineEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set<(data: never) => void>();
    this.listeners.set(event, set);
    const l = listener as (data: never) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** Connection state changes (for the UI's banner), starting with the current state. */
  onStatus(listener: (s: ConnectionState, detail?: string) => void): () => void {
    this.statusListeners.add(listener);
    // The state may have changed before anyone listened (the constructor already connects, or is unavailable).
    listener(this.state, this.detail);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  /** Closes the socket for good. */
  close(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.clearTimer(this.retryTimer);
    this.retryTimer = undefined;
    const s = this.socket;
    this.socket = undefined;
    s?.close(1000, 'client closed');
    this.rejectAll('The connection to the Confine service was shut down.');
    this.setState('closed');
  }

  private setState(s: ConnectionState, detail?: string): void {
    this.state = s;
    this.detail = detail;
    for (const l of this.statusListeners) l(s, detail);
  }

  private reconnectNow(): void {
    if (this.stopped || this.socket) return;
    if (this.retryTimer !== undefined) this.clearTimer(this.retryTimer);
    this.retryTimer = undefined;
    this.open();
  }

  private open(): void {
    let socket: SocketLike;
    this.setState('connecting');
    try {
      socket = this.opts.connect(this.opts.url, this.opts.protocols ?? []);
    } catch (e) {
      this.onClosed(undefined, (e as Error).message);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.everOpened = true;
      this.setState('open');
      this.flush();
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    socket.onerror = () => {
      // A close event always follows; it carries the code.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.onClosed(ev.code, ev.reason);
    };
  }

  private onClosed(code: number | undefined, reason: string | undefined): void {
    const why = reason ? `: ${reason}` : code !== undefined && code !== 1000 ? ` (code ${code})` : '';
    const msg = this.everOpened
      ? `Lost the connection to the Confine service${why}. Reconnecting; retry the action once it is back.`
      : `Cannot connect to the Confine service at ${this.opts.url}${why}. Is \`confine serve\` still running, and was this page opened with the URL it printed (it carries the access token)?`;
    this.rejectAll(msg);
    if (this.stopped) return;
    this.setState('closed', msg);
    const min = this.opts.minDelayMs ?? 250;
    const max = this.opts.maxDelayMs ?? 10_000;
    const delay = Math.min(max, min * 2 ** this.attempt++);
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = undefined;
      if (!this.stopped && !this.socket) this.open();
    }, delay);
  }

  private rejectAll(message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      if (p.timer !== undefined) this.clearTimer(p.timer);
      p.reject(new Error(`${p.method}: ${message}`));
    }
  }

  private flush(): void {
    const s = this.socket;
    if (!s || s.readyState !== OPEN) return;
    for (const p of this.pending.values()) {
      if (p.frame === undefined) continue;
      s.send(p.frame);
      p.frame = undefined;
    }
  }

  private receive(raw: unknown): void {
    let msg: Partial<WsResponse & WsEvent> & { id?: number; error?: string; result?: unknown };
    try {
      msg = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.event === 'string') {
      const set = this.listeners.get(msg.event);
      if (set) for (const l of [...set]) l(msg.data as never);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (p.timer !== undefined) this.clearTimer(p.timer);
    if ('error' in msg && msg.error !== undefined) p.reject(new Error(String(msg.error)));
    else p.resolve(msg.result);
  }
}
