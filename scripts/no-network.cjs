// Preloaded into the Electronegativity scanner: it would fetch translations and Electron's
// release list from the internet, which this project's machines (and CI) must not do. Every
// request it makes through `got` fails at once instead; the scanner then uses its bundled data.
const Module = require('node:module');

const offline = () => Promise.reject(new Error('offline: TravelDesk scans without network'));
offline.head = offline;
offline.get = offline;

const load = Module._load;
Module._load = function loadWithoutNetwork(request, ...rest) {
  if (request === 'got') return { __esModule: true, default: offline };
  return load.call(this, request, ...rest);
};
