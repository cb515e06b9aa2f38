// The preload of the Confine window (sandboxed, context-isolated). It exposes exactly the
// ConfineBridge as `window.confine`: one generic invoke and event subscription, nothing else of
// ipcRenderer. CommonJS (.cts) because sandboxed preloads cannot be ES modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

type Reply = { result: unknown } | { error: string };

const bridge = {
  async invoke(method: string, ...args: unknown[]): Promise<unknown> {
    const reply = (await ipcRenderer.invoke('confine:invoke', method, args)) as Reply;
    if ('error' in reply) throw new Error(reply.error);
    return reply.result;
  },
  on(event: string, listener: (data: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: unknown, data: unknown): void => {
      if (name === event) listener(data);
    };
    ipcRenderer.on('confine:event', handler);
    return () => {
      ipcRenderer.removeListener('confine:event', handler);
    };
  },
};

contextBridge.exposeInMainWorld('confine', bridge);
