// Makes sure better-sqlite3 is built for the runtime about to use it.
//   node scripts/native-for.mjs node      before tests and the headless run under Node 20+
//   node scripts/native-for.mjs electron  before `npm start` / `npm run build` (Electron's Node)
// A native module is built for one Node ABI at a time; switching rebuilds it (about a minute
// when it has to compile from source).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const target = process.argv[2];
const stamp = 'node_modules/.traveldesk-native-target';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function loadsInNode() {
  const probe = spawnSync(
    process.execPath,
    ['-e', "new (require('better-sqlite3'))(':memory:').close()"],
    {
      encoding: 'utf8',
    },
  );
  return probe.status === 0;
}

function run(command, args) {
  execFileSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
}

if (target === 'node') {
  if (!loadsInNode()) {
    console.log('better-sqlite3 wird für Node neu gebaut …');
    run(npm, ['rebuild', 'better-sqlite3']);
    if (!loadsInNode()) {
      console.error(
        'better-sqlite3 lässt sich unter Node nicht laden. Bitte `npm ci` erneut ausführen.',
      );
      process.exit(1);
    }
  }
  writeFileSync(stamp, `node-${process.versions.modules}\n`);
} else if (target === 'electron') {
  // Electron 45 fetches its binary on first use, not at install; electron-vite does not ask for
  // it, so fetch it here (about 100 MB, once).
  try {
    require('electron');
  } catch (error) {
    console.error(`Electron konnte nicht heruntergeladen werden: ${error.message}`);
    console.error(
      'Ohne Internetverbindung lässt sich die App nicht starten; die Tests laufen trotzdem.',
    );
    process.exit(1);
  }
  const electronVersion = require('electron/package.json').version;
  const wanted = `electron-${electronVersion}\n`;
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
    console.log(`better-sqlite3 wird für Electron ${electronVersion} neu gebaut …`);
    run(npm, ['exec', '--', 'electron-builder', 'install-app-deps']);
    writeFileSync(stamp, wanted);
  }
} else {
  console.error('Aufruf: node scripts/native-for.mjs node|electron');
  process.exit(2);
}
