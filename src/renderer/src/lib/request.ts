// Calls one `window.api` method and always answers with a result envelope, also when the
// transport itself fails, so screens handle one shape of error only.
import i18next from 'i18next';
import type { Result } from '../../../shared/result';

export async function request<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await call();
  } catch (error) {
    console.error('IPC call failed', error);
    return { ok: false, error: { code: 'internal', message: i18next.t('app.unreachable') } };
  }
}
