// The renderer's entry: texts first, then the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App';
import { setupI18n } from './i18n';
import './styles.css';

// The CSP forbids eval: zod must not even probe for `new Function`.
z.config({ jitless: true });
setupI18n();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
