import 'antd-mobile/es/global';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { applyLargeText, loadLargeText } from './display-settings.ts';
import { setupI18n } from './i18n/setup.ts';

applyLargeText(loadLargeText());
await setupI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
