// i18next set up for the renderer: German first, English second, texts from de.ts and en.ts.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { de } from './de';
import { en } from './en';

export const UI_LANGUAGES = ['de', 'en'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

export function setupI18n(): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: { de: { translation: de }, en: { translation: en } },
    lng: 'de',
    fallbackLng: 'de',
    supportedLngs: UI_LANGUAGES,
    // Resources are bundled, so init completes synchronously before the first render.
    initAsync: false,
    // React escapes every value it renders; escaping here as well would show `&amp;`.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}
