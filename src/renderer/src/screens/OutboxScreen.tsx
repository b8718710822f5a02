// The outbox ("Postausgang"): marked, retrying, failed and uncertain mails, the next night run,
// and the agent's actions: send now, try a failed mail again, settle an uncertain one.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxItem } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import { Banner, Busy, Section } from '../components/layout';
import type { Tone } from '../components/layout';
import { formatDateTime } from '../lib/format';
import { request } from '../lib/request';
import { useNavigation } from '../store';
import { NightRunControls } from './NightRunControls';

interface Notice {
  tone: Tone;
  text: string;
}

export function OutboxScreen() {
  const { t } = useTranslation();
  const navigate = useNavigation((state) => state.navigate);
  const [items, setItems] = useState<OutboxItem[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busyMark, setBusyMark] = useState<number | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let stale = false;
    void request(() => window.api.outbox.list()).then((result) => {
      if (stale) return;
      if (result.ok) {
        setItems(result.value);
        setLoadError(null);
      } else {
        setLoadError(result.error.message);
      }
    });
    return () => {
      stale = true;
    };
  }, [reload]);

  const act = async (
    item: OutboxItem,
    confirmText: string,
    call: () => Promise<Result<unknown>>,
    doneText: string,
  ) => {
    if (!window.confirm(confirmText)) return;
    setBusyMark(item.markId);
    const result = await request(call);
    setBusyMark(null);
    setNotice(
      result.ok
        ? { tone: 'success', text: doneText }
        : { tone: 'error', text: result.error.message },
    );
    setReload((n) => n + 1);
  };

  const retry = (item: OutboxItem) =>
    act(
      item,
      t(item.state === 'uncertain' ? 'outbox.confirmRetryUncertain' : 'outbox.confirmRetry', {
        number: item.bookingNumber,
      }),
      () => window.api.outbox.retry({ markId: item.markId }),
      t('outbox.retried', { number: item.bookingNumber }),
    );

  const markSent = (item: OutboxItem) =>
    act(
      item,
      t('outbox.confirmMarkSent', { number: item.bookingNumber }),
      () => window.api.outbox.markSent({ markId: item.markId }),
      t('outbox.confirmed', { number: item.bookingNumber }),
    );

  return (
    <div className="screen">
      <header className="screen-header">
        <h1>{t('outbox.title')}</h1>
      </header>

      <Section title={t('settings.nightRun.title')}>
        <NightRunControls refreshKey={reload} onFinished={() => setReload((n) => n + 1)} />
      </Section>

      {notice ? (
        <Banner tone={notice.tone} testId="outbox-notice">
          {notice.text}
        </Banner>
      ) : null}
      {loadError ? <Banner tone="error">{loadError}</Banner> : null}
      {items === null && !loadError ? <Busy label={t('app.loading')} /> : null}

      {items !== null ? (
        <table className="table" data-testid="outbox-list">
          <thead>
            <tr>
              <th scope="col">{t('outbox.columns.booking')}</th>
              <th scope="col">{t('outbox.columns.customer')}</th>
              <th scope="col">{t('outbox.columns.state')}</th>
              <th scope="col">{t('outbox.columns.reason')}</th>
              <th scope="col">{t('outbox.columns.attempts')}</th>
              <th scope="col">{t('outbox.columns.detail')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('outbox.columns.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted empty">
                  {t('outbox.empty')}
                </td>
              </tr>
            ) : null}
            {items.map((item) => (
              <tr key={item.markId} data-testid="outbox-row">
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => navigate({ name: 'booking', bookingId: item.bookingId })}
                  >
                    {item.bookingNumber}
                  </button>
                </td>
                <td>{item.customerName}</td>
                <td>
                  <span className={`tag mail-${item.state}`}>{t(`mailState.${item.state}`)}</span>
                </td>
                <td>{t(`reason.${item.reason}`)}</td>
                <td>{item.attempts}</td>
                <td className="detail">
                  <OutboxDetail item={item} />
                </td>
                <td className="actions">
                  {busyMark === item.markId ? <Busy label="" /> : null}
                  {item.state === 'failed' || item.state === 'uncertain' ? (
                    <button
                      type="button"
                      className="secondary"
                      disabled={busyMark !== null}
                      onClick={() => void retry(item)}
                    >
                      {t('outbox.retry')}
                    </button>
                  ) : null}
                  {item.state === 'uncertain' ? (
                    <button
                      type="button"
                      className="secondary"
                      disabled={busyMark !== null}
                      onClick={() => void markSent(item)}
                    >
                      {t('outbox.markSent')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function OutboxDetail({ item }: { item: OutboxItem }) {
  const { t } = useTranslation();
  const lines: string[] = [];
  if (item.state === 'retry' && item.nextAttemptAt) {
    lines.push(t('outbox.nextAttempt', { at: formatDateTime(item.nextAttemptAt) }));
  }
  if (item.state === 'marked')
    lines.push(t('outbox.markedAt', { at: formatDateTime(item.markedAt) }));
  if (item.state === 'uncertain') lines.push(t('outbox.uncertainHint'));
  if (item.lastError) {
    lines.push(
      item.lastReplyCode
        ? t('booking.mail.lastErrorWithCode', { code: item.lastReplyCode, error: item.lastError })
        : t('booking.mail.lastError', { error: item.lastError }),
    );
  }
  return (
    <>
      {lines.map((line) => (
        <div key={line}>{line}</div>
      ))}
    </>
  );
}
