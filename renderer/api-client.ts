// A typed ConfineApi over a ConfineBridge: one method per entry of API_METHODS, each forwarding to invoke.
import { API_METHODS, type ApiMethod, type ConfineApi, type ConfineBridge } from '../electron/api.js';

export function createApiClient(bridge: ConfineBridge): ConfineApi {
  const api: Partial<Record<ApiMethod, (...args: never[]) => Promise<unknown>>> = {};
  for (const method of API_METHODS) {
    api[method] = (...args: never[]) => (bridge.invoke as (m: ApiMethod, ...a: unknown[]) => Promise<unknown>)(method, ...args);
  }
  return Object.freeze(api) as ConfineApi;
}
