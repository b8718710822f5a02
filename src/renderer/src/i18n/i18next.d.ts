// Makes `t('…')` check its keys against the German texts.
import 'i18next';
import type { de } from './de';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof de };
  }
}
