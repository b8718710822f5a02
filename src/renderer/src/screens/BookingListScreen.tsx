// The list of bookings ("Vorgänge"), searchable by booking number or customer name as you type.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BookingListItem } from '../../../shared/contract';
import { Banner, Busy } from '../components/layout';
import { formatDate } from '../lib/format';
import { request } from '../lib/request';
import { useNavigation } from '../store';

/** Wait this long after the last keystroke before asking main, so typing stays smooth. */
const SEARCH_DELAY_MS = 150;

export function BookingListScreen() {
  const { t } = useTranslation();
  const navigate = useNavigation((state) => state.navigate);
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<BookingListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // A slower answer to an older query must not overwrite the newer one.
    let stale = false;
    const timer = window.setTimeout(
      async () => {
        const result = await request(() => window.api.bookings.list({ query: query.trim() }));
        if (stale) return;
        if (result.ok) {
          setItems(result.value);
          setError(null);
        } else {
          setError(result.error.message);
        }
      },
      query === '' ? 0 : SEARCH_DELAY_MS,
    );
    return () => {
      stale = true;
      window.clearTimeout(timer);
    };
  }, [query]);

  const open = (id: number) => navigate({ name: 'booking', bookingId: id });

  return (
    <div className="screen">
      <header className="screen-header">
        <h1>{t('bookings.title')}</h1>
        <button
          type="button"
          className="primary"
          onClick={() => navigate({ name: 'booking', bookingId: null })}
        >
          + {t('bookings.newBooking')}
        </button>
      </header>

      <div className="search">
        <label htmlFor="booking-search">{t('bookings.search')}</label>
        <input
          id="booking-search"
          type="search"
          value={query}
          placeholder={t('bookings.searchPlaceholder')}
          maxLength={200}
          autoComplete="off"
          onChange={(event) => setQuery(event.target.value)}
        />
      </div>

      {error ? <Banner tone="error">{error}</Banner> : null}
      {items === null && !error ? <Busy label={t('app.loading')} /> : null}

      {items !== null ? (
        <table className="table" data-testid="booking-list">
          <thead>
            <tr>
              <th scope="col">{t('bookings.columns.number')}</th>
              <th scope="col">{t('bookings.columns.customer')}</th>
              <th scope="col">{t('bookings.columns.travelDate')}</th>
              <th scope="col">{t('bookings.columns.status')}</th>
              <th scope="col">{t('bookings.columns.mailState')}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted empty">
                  {t('bookings.empty')}
                </td>
              </tr>
            ) : null}
            {items.map((item) => (
              <tr
                key={item.id}
                className="clickable"
                data-testid="booking-row"
                onClick={() => open(item.id)}
              >
                <td>
                  {/* The button keeps the row reachable by keyboard. */}
                  <button
                    type="button"
                    className="link"
                    onClick={(event) => {
                      event.stopPropagation();
                      open(item.id);
                    }}
                  >
                    {item.number}
                  </button>
                </td>
                <td>{item.customerName}</td>
                <td>{formatDate(item.travelDate)}</td>
                <td>
                  <span className={`tag status-${item.status}`}>{t(`status.${item.status}`)}</span>
                </td>
                <td data-testid="booking-mail-state">
                  <span className={`tag mail-${item.mailState}`}>
                    {t(`mailState.${item.mailState}`)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
