// The WebSocket framing of the API contract used by `confine serve` (path /api), one JSON object
// per message. Types only: the renderer's client and the web host both follow it.
import type { ApiMethod, EventName } from './api.js';

/** Client -> server: call `method` with positional `args`. */
export interface WsRequest {
  id: number;
  method: ApiMethod;
  args: unknown[];
}

/** Server -> client: the answer to request `id`. */
export type WsResponse = { id: number; result: unknown } | { id: number; error: string };

/** Server -> client: a pushed event. */
export interface WsEvent {
  event: EventName;
  data: unknown;
}

/** The WebSocket path under the served origin. */
export const WS_PATH = '/api';

/** The subprotocol the server answers with; the client offers it with a token subprotocol (below). */
export const WS_SUBPROTOCOL = 'confine.v1';

/**
 * The prefix of the second subprotocol the client offers: `confine.token.<T>` carries the access
 * token on every upgrade. The cookie alone is not enough, since browsers send 127.0.0.1's cookies
 * to every port of 127.0.0.1 (RFC 6265 section 8.5), i.e. to any local server a user visits.
 */
export const WS_TOKEN_PREFIX = 'confine.token.';
