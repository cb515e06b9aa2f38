// Entry point: pick the transport, build the store, feed it the events, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getTransport } from './bridge.js';
import { createApiClient } from './api-client.js';
import { connectEvents, createConfineStore, loadInitial } from './state/store.js';
import { StoreContext } from './store-context.js';
import { downloadExport } from './download.js';
import { App } from './App.js';
import '@xyflow/react/dist/style.css';
import './styles.css';

const transport = getTransport();
const store = createConfineStore({ api: createApiClient(transport.bridge), download: downloadExport });
connectEvents(store, transport.bridge);

if (transport.kind === 'electron') {
  store.getState().setConnection('open');
  void loadInitial(store);
}
transport.onStatus((state, detail) => {
  store.getState().setConnection(state, detail);
  // First connection, or back after a drop (events may have been missed): reload the lists.
  if (state === 'open') void loadInitial(store);
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
);
