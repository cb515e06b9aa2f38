// Which transport carries the API: Electron's preload exposes `window.confine`; in a browser (served
// by `confine serve`) we talk to the same origin's WebSocket, offering the access token from the
// URL fragment (or this tab's sessionStorage) as a subprotocol. The rest of the UI cannot tell.
import type { ConfineBridge } from '../electron/api.js';
import { WS_PATH } from '../electron/ws-protocol.js';
import { NO_TOKEN_MESSAGE, takeAccessToken, WsBridge, wsProtocols, type ConnectionState, type SocketLike } from './ws-client.js';

declare global {
  interface Window {
    confine?: ConfineBridge;
  }
}

export interface Transport {
  bridge: ConfineBridge;
  kind: 'electron' | 'web';
  /** Connection changes (the Electron bridge is always connected). */
  onStatus(listener: (s: ConnectionState, detail?: string) => void): () => void;
}

/**
 * The bridge of this window: the preload's in Electron, else a WebSocket client to `ws(s)://host/api`.
 * Call before the app reads location.hash for its routes: the `#token=` fragment is removed here.
 */
export function getTransport(): Transport {
  if (window.confine) return { bridge: window.confine, kind: 'electron', onStatus: () => () => undefined };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const token = takeAccessToken(location.hash, sessionStorage, () => history.replaceState(null, '', location.pathname + location.search));
  const ws = new WsBridge({
    url: `${scheme}://${location.host}${WS_PATH}`,
    protocols: token === undefined ? undefined : wsProtocols(token),
    unavailable: token === undefined ? NO_TOKEN_MESSAGE : undefined,
    connect: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
  });
  return { bridge: ws, kind: 'web', onStatus: (l) => ws.onStatus(l) };
}
