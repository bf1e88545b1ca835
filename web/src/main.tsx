// The Usage & Billing app: reads its settings (/config.json), then renders.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AuthProvider } from './auth';
import { loadConfig } from './config';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

loadConfig()
  .then((config) =>
    root.render(
      <StrictMode>
        <AuthProvider config={config}>
          <App />
        </AuthProvider>
      </StrictMode>,
    ),
  )
  .catch((error: unknown) => {
    root.render(
      <main id="main">
        <div className="alert alert-error" role="alert">
          <strong>IO Credits could not start</strong>
          <div>{error instanceof Error ? error.message : String(error)}</div>
        </div>
      </main>,
    );
  });
