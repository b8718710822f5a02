// Small building blocks shared by the screens: a form section and a message banner.
import type { ReactNode } from 'react';

interface SectionProps {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
}

export function Section({ title, children, actions, testId }: SectionProps) {
  return (
    <section className="section" data-testid={testId}>
      <header className="section-header">
        <h2>{title}</h2>
        {actions ? <div className="section-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export type Tone = 'success' | 'error' | 'info' | 'warning';

interface BannerProps {
  tone: Tone;
  children: ReactNode;
  testId?: string;
}

export function Banner({ tone, children, testId }: BannerProps) {
  // Errors interrupt; everything else is announced politely.
  const role = tone === 'error' ? 'alert' : 'status';
  return (
    <div className={`banner banner-${tone}`} role={role} data-testid={testId}>
      {children}
    </div>
  );
}

export function Busy({ label }: { label: string }) {
  return (
    <span className="busy" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </span>
  );
}
