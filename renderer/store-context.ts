// React access to the one store: <StoreProvider value={store}> at the root, useConfine(selector) below.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ConfineStore } from './state/store.js';
import type { ConfineState } from './state/types.js';

export const StoreContext = createContext<ConfineStore | null>(null);

export function useConfineStore(): ConfineStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useConfine outside <StoreContext.Provider>');
  return store;
}

/** Subscribes to a slice of the state (return stable values, or wrap the selector in useShallow). */
export function useConfine<T>(selector: (s: ConfineState) => T): T {
  return useStore(useConfineStore(), selector);
}
