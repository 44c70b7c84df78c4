// `npm run security:electron` — runs Electronegativity over electron/ and fails on any finding that
// build/electronegativity.json does not accept with a justification. Prints every finding.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Accepted {
  check: string;
  file: string;
  justification: string;
  verifiedBy?: string;
}
interface Config {
  electronVersion: string;
  input: string;
  accepted: Accepted[];
}

const config = JSON.parse(readFileSync('build/electronegativity.json', 'utf8')) as Config;
const dir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
// SARIF, not CSV: electronegativity writes a CSV's header and its rows with two unordered async
// writes (truncate, then append), so on a busy machine the rows could land first and be cut — a
// mangled file that read as an open finding. The SARIF file is one write.
const sarif = join(dir, 'findings.sarif');
try {
  execFileSync(
    process.execPath,
    [join('node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js'), '-i', config.input, '-o', sarif, '-r', '-v', 'false', '-e', config.electronVersion],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
} catch (err) {
  console.error(`electronegativity failed to run: ${(err as Error).message}`);
  process.exit(2);
}

interface SarifResult {
  ruleId: string;
  level: string;
  message?: { text?: string };
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number; startColumn?: number } } }[];
}
const report = JSON.parse(readFileSync(sarif, 'utf8')) as { runs: { results: SarifResult[] }[] };
rmSync(dir, { recursive: true, force: true });
const findings = report.runs.flatMap((run) => run.results).map((r) => {
  const where = r.locations?.[0]?.physicalLocation;
  const uri = where?.artifactLocation?.uri ?? 'file:///';
  // A finding about the whole app (the CSP check) has no file: SARIF says "file:///", the CSV said N/A.
  const file = uri === 'file:///' ? 'N/A' : uri;
  const line = where?.region?.startLine ?? 0;
  const column = (where?.region?.startColumn ?? 1) - 1;
  return { check: r.ruleId, severity: r.level, file, location: file === 'N/A' ? '0:0' : `${line}:${column}`, sample: r.message?.text ?? '' };
});
const badConfig = config.accepted.filter((a) => !a.justification || a.justification.trim().length < 20);
const isAccepted = (f: { check: string; file: string }) => config.accepted.find((a) => a.check === f.check && a.file === f.file);
const open = findings.filter((f) => !isAccepted(f));
const stale = config.accepted.filter((a) => !findings.some((f) => f.check === a.check && f.file === a.file));

for (const f of findings) {
  const a = isAccepted(f);
  console.log(`${a ? 'accepted' : 'OPEN    '}  ${f.check} ${f.severity} ${f.file}:${f.location}${a ? '' : `\n          ${f.sample}`}`);
}
for (const s of stale) console.log(`note: accepted entry ${s.check} ${s.file} no longer matches a finding (remove it)`);
for (const b of badConfig) console.log(`config: accepted entry ${b.check} ${b.file} needs a real justification`);
console.log(`electronegativity: ${findings.length} findings, ${findings.length - open.length} accepted, ${open.length} open`);
process.exit(open.length || badConfig.length ? 1 : 0);
