// The panel "Atmosfair-Mail" on a booking: why it is or is not marked, what was sent when, and
// a preview of exactly the mail the night run would send.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BookingDetail, MailPreview, MarkSummary } from '../../../shared/contract';
import { Banner, Busy, Section } from '../components/layout';
import { formatDateTime } from '../lib/format';
import { request } from '../lib/request';
import { OutcomeText } from '../components/OutcomeText';

interface BookingMailPanelProps {
  /** Null for a booking that has not been saved yet. */
  booking: BookingDetail | null;
}

export function BookingMailPanel({ booking }: BookingMailPanelProps) {
  const { t } = useTranslation();

  return (
    <Section title={t('booking.mail.title')} testId="mail-panel">
      {booking === null ? (
        <p className="muted">{t('booking.mail.notSavedYet')}</p>
      ) : (
        <MailDetails booking={booking} />
      )}
    </Section>
  );
}

function MailDetails({ booking }: { booking: BookingDetail }) {
  const { t } = useTranslation();
  const { mark, lastDecision, sent, history } = booking.mail;
  // Without an open mark, a refused last mail is still worth telling.
  const latest = history[0];
  const shown = mark ?? (latest?.state === 'failed' ? latest : null);

  return (
    <div className="mail-details">
      <p data-testid="mail-mark" className={shown ? `mark-${shown.state}` : undefined}>
        {shown ? <MarkSentence mark={shown} /> : t('booking.mail.notMarked')}
      </p>
      {shown?.lastError ? (
        <p className="field-error" data-testid="mail-last-error">
          {shown.lastReplyCode
            ? t('booking.mail.lastErrorWithCode', {
                code: shown.lastReplyCode,
                error: shown.lastError,
              })
            : t('booking.mail.lastError', { error: shown.lastError })}
        </p>
      ) : null}

      {lastDecision ? (
        <p data-testid="mail-last-decision">
          <span className="muted">
            {t('booking.mail.lastDecision', { at: formatDateTime(lastDecision.decidedAt) })}:{' '}
          </span>
          <OutcomeText outcome={lastDecision} />
        </p>
      ) : null}

      <h3>{t('booking.mail.sentTitle')}</h3>
      {sent.length === 0 ? (
        <p className="muted">{t('booking.mail.noneSent')}</p>
      ) : (
        <ul className="sent-list" data-testid="sent-mails">
          {sent.map((mail) => (
            <li key={mail.id}>
              {t('booking.mail.sentLine', {
                at: formatDateTime(mail.sentAt),
                recipient: mail.recipient,
              })}
              <span className="muted"> · {mail.subject}</span>
            </li>
          ))}
        </ul>
      )}

      <MailPreviewBlock bookingId={booking.id} />
    </div>
  );
}

function MarkSentence({ mark }: { mark: MarkSummary }) {
  const { t } = useTranslation();
  const at = formatDateTime(mark.markedAt);
  const reason = t(`reason.${mark.reason}`);
  switch (mark.state) {
    case 'sending':
      return <>{t('booking.mail.sending', { at, reason })}</>;
    case 'retry': {
      const next = mark.nextAttemptAt ? formatDateTime(mark.nextAttemptAt) : '–';
      return <>{t('booking.mail.retry', { attempts: mark.attempts, next, reason })}</>;
    }
    case 'uncertain':
      return <>{t('booking.mail.uncertain')}</>;
    case 'failed':
      return <>{t('booking.mail.failed')}</>;
    default:
      return <>{t('booking.mail.marked', { at, reason })}</>;
  }
}

function MailPreviewBlock({ bookingId }: { bookingId: number }) {
  const { t } = useTranslation();
  const [preview, setPreview] = useState<MailPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = async () => {
    setLoading(true);
    setError(null);
    const result = await request(() => window.api.bookings.previewMail({ id: bookingId }));
    setLoading(false);
    if (result.ok) setPreview(result.value);
    else setError(result.error.message);
  };

  return (
    <div className="preview">
      <div className="button-row">
        {preview ? (
          <button type="button" className="secondary" onClick={() => setPreview(null)}>
            {t('booking.mail.previewHide')}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={load} disabled={loading}>
            {t('booking.mail.preview')}
          </button>
        )}
        {loading ? <Busy label={t('app.loading')} /> : null}
      </div>
      {error ? <Banner tone="error">{error}</Banner> : null}
      {preview ? (
        <div className="preview-body" data-testid="mail-preview">
          <h3>{t('booking.mail.previewTitle')}</h3>
          <dl className="facts">
            <dt>{t('booking.mail.previewTo')}</dt>
            <dd>{preview.to}</dd>
            <dt>{t('booking.mail.previewSubject')}</dt>
            <dd data-testid="mail-preview-subject">{preview.subject}</dd>
          </dl>
          <h4>{t('booking.mail.previewHtml')}</h4>
          {/* An empty sandbox: the mail's HTML can run no script and reach nothing. */}
          <iframe
            className="preview-html"
            title={t('booking.mail.previewHtml')}
            sandbox=""
            srcDoc={preview.html}
          />
          <h4>{t('booking.mail.previewText')}</h4>
          <pre className="preview-text">{preview.text}</pre>
        </div>
      ) : null}
    </div>
  );
}
