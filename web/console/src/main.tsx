// The Trusted Types policy and the style nonce first: antd makes its first <style> as soon as a
// component renders.
import './trusted-types.ts';
import { STYLE_NONCE } from './csp-nonce.ts';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { setupI18n } from './i18n/setup.ts';

await setupI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App nonce={STYLE_NONCE} />
  </StrictMode>,
);
