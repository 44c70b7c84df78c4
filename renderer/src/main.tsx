// Renderer entry: the one client (Electron IPC or web bridge), the stores created with it, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createDeskClient } from './api/client.ts';
import { App } from './components/App.tsx';
import { createStores } from './state/stores.ts';
import { StoresProvider } from './state/StoresProvider.tsx';
import './styles.css';

const stores = createStores(createDeskClient());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoresProvider stores={stores}>
      <App />
    </StoresProvider>
  </StrictMode>,
);
