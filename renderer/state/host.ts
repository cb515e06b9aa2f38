// The transport and its connection: what the host can do (native save or download) and whether
// the WebSocket is up (the Electron bridge always is).
import type { HostInfo } from '../../electron/api.js';
import { guard } from './errors.js';
import type { Slice } from './types.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface HostSlice {
  host?: HostInfo;
  connection: ConnectionState;
  /** Why the connection is down. */
  connectionDetail?: string;
  setConnection(state: ConnectionState, detail?: string): void;
  loadHost(): Promise<void>;
}

export const createHostSlice: Slice<HostSlice> = (set, get, { api }) => ({
  connection: 'connecting',
  setConnection(connection, detail) {
    set({ connection, connectionDetail: connection === 'open' ? undefined : detail });
  },
  async loadHost() {
    const host = await guard(get, 'Asking the service what it can do', () => api.hostInfo());
    if (host) set({ host });
  },
});
