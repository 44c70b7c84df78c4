// Renderer entry: pick the transport (Electron IPC or web bridge), wire the store, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createDeskClient } from './api/client.ts';
import { App } from './components/App.tsx';
import { useDesk } from './state/store.ts';
import { useSettings } from './settings/settingsStore.ts';
import './styles.css';

const client = createDeskClient();
useDesk.getState().init(client);
// Issue 8: settings (language, sound, quiet hours), updates, and the arrival sound.
useSettings.getState().init(client);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
