// Runs Electronegativity over the built app (out/) and fails on any finding that
// security/electronegativity.json does not explain. Build first: `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const config = JSON.parse(readFileSync('security/electronegativity.json', 'utf8'));
const electronVersion = require('electron/package.json').version;

if (!existsSync('out/main/index.js')) {
  console.error('Kein gebautes Programm in out/: bitte zuerst `npm run build`.');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'traveldesk-scan-'));
const report = join(dir, 'electronegativity.sarif');
const cli = require.resolve('@doyensec/electronegativity/dist/index.js');
const scan = spawnSync(
  process.execPath,
  [
    '--require',
    './scripts/no-network.cjs',
    cli,
    '--input',
    'out',
    '--relative',
    '--electron-version',
    electronVersion,
    '--exclude-checks',
    Object.keys(config.excludedChecks).join(','),
    '--output',
    report,
    '--verbose',
    'false',
  ],
  { encoding: 'utf8', timeout: 120_000 },
);
if (scan.status !== 0 || !existsSync(report)) {
  console.error(scan.stdout, scan.stderr);
  console.error('Electronegativity ist nicht gelaufen.');
  process.exit(2);
}

const sarif = JSON.parse(readFileSync(report, 'utf8'));
rmSync(dir, { recursive: true, force: true });
const findings = sarif.runs.flatMap((run) =>
  run.results.map((result) => ({
    check: result.ruleId,
    file: result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '',
    line: result.locations?.[0]?.physicalLocation?.region?.startLine ?? 0,
  })),
);

let unexplained = 0;
for (const finding of findings) {
  const accepted = config.accepted.find(
    (a) => a.check === finding.check && a.file === finding.file,
  );
  const where = `${finding.file}:${finding.line}`;
  if (accepted) {
    console.log(`ok    ${finding.check} ${where} – ${accepted.reason}`);
  } else {
    unexplained += 1;
    console.log(`FEHLT ${finding.check} ${where} – weder behoben noch begründet`);
  }
}
for (const accepted of config.accepted) {
  if (!findings.some((f) => f.check === accepted.check && f.file === accepted.file)) {
    console.log(`alt   ${accepted.check} ${accepted.file}: nicht mehr gefunden, Eintrag entfernen`);
  }
}
console.log(`Electronegativity: ${findings.length} Befunde, ${unexplained} unbegründet.`);
process.exit(unexplained === 0 ? 0 : 1);
