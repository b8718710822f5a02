// The left sidebar: "Vorgänge", "Postausgang" and "Verwaltung › Administration ›
// Agenturstammdaten", and the language of the interface.
import { useTranslation } from 'react-i18next';
import { UI_LANGUAGES } from '../i18n';
import type { UiLanguage } from '../i18n';
import type { Screen } from '../store';
import { useNavigation } from '../store';

export function Sidebar() {
  const { t, i18n } = useTranslation();
  const screen = useNavigation((state) => state.screen);
  const navigate = useNavigation((state) => state.navigate);

  const bookingsActive = screen.name === 'bookings' || screen.name === 'booking';
  const item = (target: Screen, label: string, active: boolean) => (
    <button
      type="button"
      className={`nav-item${active ? ' active' : ''}`}
      aria-current={active ? 'page' : undefined}
      onClick={() => navigate(target)}
    >
      {label}
    </button>
  );

  const changeLanguage = (language: UiLanguage) => {
    void i18n.changeLanguage(language);
    document.documentElement.lang = language;
  };

  return (
    <aside className="sidebar">
      <div className="sidebar-inner">
        <div className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </div>

        <nav aria-label={t('nav.label')}>
          <ul className="nav">
            <li>{item({ name: 'bookings' }, t('nav.bookings'), bookingsActive)}</li>
            <li>{item({ name: 'outbox' }, t('nav.outbox'), screen.name === 'outbox')}</li>
            <li>
              <span className="nav-group">{t('nav.admin')}</span>
              <ul>
                <li>
                  <span className="nav-group nested">{t('nav.administration')}</span>
                  <ul>
                    <li>
                      {item(
                        { name: 'settings' },
                        t('nav.agencySettings'),
                        screen.name === 'settings',
                      )}
                    </li>
                  </ul>
                </li>
              </ul>
            </li>
          </ul>
        </nav>

        <div className="sidebar-footer">
          <label htmlFor="ui-language">{t('app.language')}</label>
          <select
            id="ui-language"
            value={i18n.resolvedLanguage ?? 'de'}
            onChange={(event) => {
              const chosen = UI_LANGUAGES.find((language) => language === event.target.value);
              if (chosen) changeLanguage(chosen);
            }}
          >
            <option value="de">Deutsch</option>
            <option value="en">English</option>
          </select>
        </div>
      </div>
    </aside>
  );
}
