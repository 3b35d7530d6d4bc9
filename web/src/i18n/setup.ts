/**
 * i18next for the page: zh-CN unless English is chosen (with the switch, or a link's ?lang=en), the
 * choice kept in localStorage (a preference, nothing personal). <html lang> follows it, so that
 * screen readers and fonts pick the right language.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from './resources.ts';
import { zhCN } from './zh-CN.ts';

const KEY = 'tracevault.portal.language';

/**
 * The language: `?lang=en` or `?lang=zh-CN` in a link (a paper can print the English one), else the
 * one chosen with the switch, else zh-CN.
 */
function initial(): Language {
  const asked = new URLSearchParams(location.search).get('lang');
  if (isLanguage(asked)) {
    remember(asked);
    return asked;
  }
  try {
    const v = localStorage.getItem(KEY);
    if (isLanguage(v)) return v;
  } catch {
    // Storage disabled: the default.
  }
  return DEFAULT_LANGUAGE;
}

function remember(lng: Language): void {
  try {
    localStorage.setItem(KEY, lng);
  } catch {
    // Private browsing: the choice lasts for this page only.
  }
}

export async function setupI18n(): Promise<void> {
  const lng = initial();
  document.documentElement.lang = lng;
  await i18next.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: ['zh-CN', 'en'],
    // React escapes what it renders; escaping here too would show &amp; to people.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
}

export async function changeLanguage(lng: Language): Promise<void> {
  remember(lng);
  document.documentElement.lang = lng;
  await i18next.changeLanguage(lng);
}
