// The marking rule's outcome as one sentence, e.g.
// "Vorgemerkt für den nächsten Nachtlauf: Erstversand".
import { useTranslation } from 'react-i18next';
import type { RuleOutcome } from '../../../shared/marking-rule';

export function OutcomeText({ outcome }: { outcome: RuleOutcome }) {
  const { t } = useTranslation();
  const reason = t(`reason.${outcome.reason}`);
  return <>{t(`outcome.${outcome.decision}`, { reason })}</>;
}

export function outcomeTone(outcome: RuleOutcome): 'success' | 'info' | 'warning' {
  if (outcome.decision === 'mark') return 'success';
  return outcome.decision === 'unmark' ? 'warning' : 'info';
}
