// Runs inside the test browser before the renderer: builds `window.api` from the real contract,
// exactly as the preload does, over a function the test binds to the main-process handlers.
import { createApi } from '../../src/shared/contract';
import type { Channel } from '../../src/shared/contract';

declare global {
  interface Window {
    __travelDeskInvoke: (channel: Channel, input: unknown) => Promise<unknown>;
  }
}

window.api = createApi((channel, input) => window.__travelDeskInvoke(channel, input));
