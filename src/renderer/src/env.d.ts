// The one bridge to the main process: `window.api`, built by the preload from the IPC contract.
import type { Api } from '../../shared/contract';

declare global {
  interface Window {
    api: Api;
  }
}

export {};
