// The night run's state: next run, marked mails, the last run, and the button that runs it now,
// shows its progress and what it did. Used in the settings and in the outbox.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { NightRunStatus, NightRunSummary } from '../../../shared/contract';
import { Banner, Busy } from '../components/layout';
import { formatDateTime } from '../lib/format';
import { request } from '../lib/request';

/** How often the status is read again while a run is working, for its progress. */
const PROGRESS_POLL_MS = 400;

interface NightRunControlsProps {
  /** Changes whenever the saved settings change, so the next run time is read again. */
  refreshKey?: number;
  /** Called after a run, so a screen can reload what the run changed. */
  onFinished?: () => void;
}

export function NightRunControls({ refreshKey = 0, onFinished }: NightRunControlsProps) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<NightRunStatus | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [summary, setSummary] = useState<NightRunSummary | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let stale = false;
    void request(() => window.api.nightRun.status()).then((result) => {
      if (stale) return;
      if (result.ok) {
        setStatus(result.value);
        setStatusError(null);
      } else {
        setStatusError(result.error.message);
      }
    });
    return () => {
      stale = true;
    };
  }, [refreshKey, reload]);

  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setReload((n) => n + 1), PROGRESS_POLL_MS);
    return () => window.clearInterval(timer);
  }, [running]);

  const runNow = async () => {
    setRunning(true);
    setRunError(null);
    setSummary(null);
    const result = await request(() => window.api.nightRun.runNow());
    setRunning(false);
    if (result.ok) setSummary(result.value);
    else setRunError(result.error.message);
    setReload((n) => n + 1);
    onFinished?.();
  };

  const lastRun = status?.lastRun ?? null;
  const progress = status?.running ?? null;

  return (
    <div className="night-run" data-testid="night-run">
      {statusError ? <Banner tone="error">{statusError}</Banner> : null}
      {status ? (
        <dl className="facts">
          <dt>{t('settings.nightRun.nextRun')}</dt>
          <dd data-testid="night-run-next">{formatDateTime(status.nextRunAt)}</dd>
          <dt>{t('settings.nightRun.pending')}</dt>
          <dd data-testid="night-run-pending">{status.pending}</dd>
          <dt>{t('settings.nightRun.lastRun')}</dt>
          <dd>{lastRun ? formatDateTime(lastRun.finishedAt) : t('settings.nightRun.never')}</dd>
        </dl>
      ) : null}
      {lastRun?.error && !summary && !running ? (
        <Banner tone="warning">
          {t('settings.nightRun.lastRunError', { error: lastRun.error })}
        </Banner>
      ) : null}

      <div className="button-row">
        <button type="button" className="secondary" onClick={runNow} disabled={running}>
          {t('settings.nightRun.runNow')}
        </button>
        {running ? <Busy label={t('settings.nightRun.running')} /> : null}
        {running && progress ? (
          <span className="muted" data-testid="night-run-progress">
            {t('settings.nightRun.progress', progress)}
          </span>
        ) : null}
      </div>

      {runError ? <Banner tone="error">{runError}</Banner> : null}
      {summary ? <RunSummary summary={summary} /> : null}
    </div>
  );
}

function RunSummary({ summary }: { summary: NightRunSummary }) {
  const { t } = useTranslation();
  // Only what can happen in this mode: no ".eml written" over SMTP, no "sent" in test mode.
  const counts = (
    [
      ['due', summary.due],
      ['sent', summary.sent],
      ['written', summary.written],
      ['withdrawn', summary.withdrawn],
      ['failed', summary.failed],
      ['retrying', summary.retrying],
      ['uncertain', summary.uncertain],
    ] as const
  ).filter(([key]) => (summary.testMode ? key !== 'sent' : key !== 'written'));
  const troubled = summary.failed + summary.retrying + summary.uncertain > 0;

  return (
    <Banner tone={troubled ? 'warning' : 'success'} testId="night-run-summary">
      <strong>{t('settings.nightRun.summaryTitle')}</strong>
      <ul className="counts">
        {counts.map(([key, count]) => (
          <li key={key} data-testid={`night-run-${key}`}>
            <span className="count">{count}</span> {t(`settings.nightRun.${key}`)}
          </li>
        ))}
      </ul>
      {summary.testMode ? <p>{t('settings.nightRun.testMode')}</p> : null}
    </Banner>
  );
}
