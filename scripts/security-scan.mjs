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
  run.results.map((result) => {
    const location = result.locations?.[0]?.physicalLocation;
    const file = location?.artifactLocation?.uri ?? '';
    const region = location?.region ?? {};
    return {
      check: result.ruleId,
      file,
      line: region.startLine ?? 0,
      sample: sampleOf(result.ruleId, file, region),
    };
  }),
);

/**
 * What a finding points at, whitespace folded: an acceptance holds for exactly this code, so a
 * changed CSP or another openExternal call is a new finding. For the CSP, the whole policy.
 */
function sampleOf(check, file, region) {
  const text = readFileSync(join('out', file), 'utf8');
  if (check === 'CSP_GLOBAL_CHECK') {
    const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(text);
    return fold(policy ? policy[1] : '');
  }
  const lines = text.split('\n');
  let offset = (region.startColumn ?? 1) - 1;
  for (let i = 0; i < (region.startLine ?? 1) - 1; i += 1) offset += lines[i].length + 1;
  return fold(text.slice(offset, offset + (region.charLength ?? 0)));
}

function fold(text) {
  return text.replace(/\s+/g, ' ').trim();
}

const matches = (accepted, finding) =>
  accepted.check === finding.check &&
  accepted.file === finding.file &&
  fold(accepted.sample) === finding.sample;

let unexplained = 0;
for (const finding of findings) {
  const accepted = config.accepted.find((a) => matches(a, finding));
  const where = `${finding.file}:${finding.line}`;
  if (accepted) {
    console.log(`ok    ${finding.check} ${where} – ${accepted.reason}`);
  } else {
    unexplained += 1;
    console.log(
      `FEHLT ${finding.check} ${where} – weder behoben noch begründet: ${finding.sample}`,
    );
  }
}
for (const accepted of config.accepted) {
  const count = findings.filter((f) => matches(accepted, f)).length;
  if (count === 0) {
    console.log(`alt   ${accepted.check} ${accepted.file}: nicht mehr gefunden, Eintrag entfernen`);
  } else if (count > (accepted.count ?? 1)) {
    unexplained += count - (accepted.count ?? 1);
    console.log(
      `FEHLT ${accepted.check} ${accepted.file}: ${count}-mal statt ${accepted.count ?? 1}-mal`,
    );
  }
}
console.log(`Electronegativity: ${findings.length} Befunde, ${unexplained} unbegründet.`);
process.exit(unexplained === 0 ? 0 : 1);
