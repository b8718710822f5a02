// The preload: exposes one narrow `window.api`, one method per contract channel, and nothing
// else. No ipcRenderer, no event objects, no Node reach the page.
import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from '../shared/contract';

contextBridge.exposeInMainWorld(
  'api',
  createApi((channel, input) => ipcRenderer.invoke(channel, input)),
);
