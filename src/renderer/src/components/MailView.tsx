// Shows one mail as the customer gets it: recipient, subject, the HTML version in an empty
// sandbox (no script, no network, no access to the app) and the plain text. Loaded on demand.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Result } from '../../../shared/result';
import { Banner, Busy } from './layout';

export interface MailContent {
  to?: string;
  recipient?: string;
  subject: string;
  text: string;
  html: string;
}

interface MailToggleProps {
  showLabel: string;
  title: string;
  load: () => Promise<Result<MailContent>>;
  testId: string;
}

export function MailToggle({ showLabel, title, load, testId }: MailToggleProps) {
  const { t } = useTranslation();
  const [mail, setMail] = useState<MailContent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const open = async () => {
    setLoading(true);
    setError(null);
    const result = await load();
    setLoading(false);
    if (result.ok) setMail(result.value);
    else setError(result.error.message);
  };

  return (
    <div className="mail-toggle">
      <div className="button-row">
        {mail ? (
          <button type="button" className="secondary" onClick={() => setMail(null)}>
            {t('booking.mail.previewHide')}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={open} disabled={loading}>
            {showLabel}
          </button>
        )}
        {loading ? <Busy label={t('app.loading')} /> : null}
      </div>
      {error ? <Banner tone="error">{error}</Banner> : null}
      {mail ? <MailView title={title} mail={mail} testId={testId} /> : null}
    </div>
  );
}

function MailView({ title, mail, testId }: { title: string; mail: MailContent; testId: string }) {
  const { t } = useTranslation();
  return (
    <div className="mail-view" data-testid={testId}>
      <h3>{title}</h3>
      <dl className="facts">
        <dt>{t('booking.mail.previewTo')}</dt>
        <dd>{mail.to ?? mail.recipient ?? ''}</dd>
        <dt>{t('booking.mail.previewSubject')}</dt>
        <dd data-testid={`${testId}-subject`}>{mail.subject}</dd>
      </dl>
      <h4>{t('booking.mail.previewHtml')}</h4>
      {/* An empty sandbox: the mail's HTML can run no script and reach nothing. */}
      <iframe
        className="mail-html"
        title={`${title} – ${t('booking.mail.previewHtml')}`}
        sandbox=""
        srcDoc={mail.html}
      />
      <h4>{t('booking.mail.previewText')}</h4>
      <pre className="mail-text">{mail.text}</pre>
    </div>
  );
}
