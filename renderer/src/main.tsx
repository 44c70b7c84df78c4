// Renderer entry: pick the transport (Electron IPC or web bridge), wire the store, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createDeskClient } from './api/client.ts';
import { App } from './components/App.tsx';
import { useDesk } from './state/store.ts';
import './styles.css';

useDesk.getState().init(createDeskClient());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
