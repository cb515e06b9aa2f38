// Who may use the browser host. The URL `confine serve` prints carries a launch token that works
// once: exchanging it starts a session (a cookie for the pages, and a second secret, handed to the
// page in the URL fragment, that every API upgrade must offer as its subprotocol) and makes a new
// launch token, which serve prints for the next browser. A replayed URL from the browser history
// is refused. A session without an open connection expires after an idle time; an open one lives.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a session may go without an open connection or a request (default 30 min). */
export const IDLE_MS = 30 * 60_000;

export interface Session {
  /** The cookie's value: opens the pages only (browsers send it to every port of 127.0.0.1). */
  cookie: string;
  /** The API secret (the `confine.token.` subprotocol), known only to the page that exchanged. */
  secret: string;
  lastActive: number;
  /** Open API connections. */
  sockets: number;
}

const secret = (): string => randomBytes(32).toString('hex');

/** Constant-time comparison; hashing first gives timingSafeEqual equal-length buffers whatever was sent. */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export class WebSessions {
  private launch: string;
  private readonly sessions: Session[] = [];

  constructor(
    private readonly opts: { token?: string; idleMs?: number; now?: () => number; onLaunchToken?: (token: string) => void } = {},
  ) {
    this.launch = opts.token ?? secret();
    if (!/^[\w-]+$/.test(this.launch)) throw new Error('the access token may hold only letters, digits, _ and -');
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The launch token the next printed URL carries. */
  get launchToken(): string {
    return this.launch;
  }

  /** Exchanges the launch token for a new session, once; undefined for any other value. */
  exchange(given: string): Session | undefined {
    if (!sameSecret(given, this.launch)) return undefined;
    this.launch = secret();
    const s: Session = { cookie: secret(), secret: secret(), lastActive: this.now(), sockets: 0 };
    this.sessions.push(s);
    this.opts.onLaunchToken?.(this.launch);
    return s;
  }

  /** The live session whose cookie this is. */
  byCookie(cookie: string | undefined): Session | undefined {
    this.expire();
    return this.sessions.find((s) => sameSecret(cookie, s.cookie));
  }

  /** The live session holding both the cookie and the API secret (an upgrade needs both, of one session). */
  authorize(cookie: string | undefined, apiSecret: string | undefined): Session | undefined {
    const s = this.byCookie(cookie);
    return s && sameSecret(apiSecret, s.secret) ? s : undefined;
  }

  touch(s: Session): void {
    s.lastActive = this.now();
  }

  /** Drops sessions idle past the limit with no connection open; returns them. */
  expire(): Session[] {
    const limit = this.opts.idleMs ?? IDLE_MS;
    const gone: Session[] = [];
    for (let i = this.sessions.length - 1; i >= 0; i--) {
      const s = this.sessions[i];
      if (s.sockets === 0 && this.now() - s.lastActive > limit) gone.push(...this.sessions.splice(i, 1));
    }
    return gone;
  }
}
