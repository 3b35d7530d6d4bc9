/**
 * i18next for the console: zh-CN unless English is chosen (the switch in the header, or a link's
 * ?lang=en), the choice kept in localStorage (a preference, nothing personal). <html lang> follows
 * it, so that screen readers and fonts pick the right language.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { AREAS, DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language } from './resources.ts';

const KEY = 'tracevault.console.language';

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
  const resources = Object.fromEntries(
    LANGUAGES.map((l) => [l, Object.fromEntries(Object.entries(AREAS).map(([ns, words]) => [ns, words[l]]))]),
  );
  await i18next.use(initReactI18next).init({
    resources,
    ns: Object.keys(AREAS),
    defaultNS: 'shell',
    lng,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
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
