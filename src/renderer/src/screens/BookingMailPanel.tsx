// The panel "Atmosfair-Mail" on a booking: why it is or is not marked, what was sent when (with
// a copy of each sent mail), and a preview of exactly the mail the night run would send.
import { useTranslation } from 'react-i18next';
import type { BookingDetail, MarkSummary } from '../../../shared/contract';
import { MailToggle } from '../components/MailView';
import { Section } from '../components/layout';
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
              <MailToggle
                showLabel={t('booking.mail.showSent')}
                title={t('booking.mail.sentCopyTitle')}
                load={() => request(() => window.api.bookings.sentMail({ id: mail.id }))}
                testId={`sent-mail-${mail.id}`}
              />
            </li>
          ))}
        </ul>
      )}

      <div className="preview">
        <MailToggle
          showLabel={t('booking.mail.preview')}
          title={t('booking.mail.previewTitle')}
          load={() => request(() => window.api.bookings.previewMail({ id: booking.id }))}
          testId="mail-preview"
        />
      </div>
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
