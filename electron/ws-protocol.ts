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
