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
const csv = join(dir, 'findings.csv');
try {
  execFileSync(
    process.execPath,
    [join('node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js'), '-i', config.input, '-o', csv, '-r', '-v', 'false', '-e', config.electronVersion],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
} catch (err) {
  console.error(`electronegativity failed to run: ${(err as Error).message}`);
  process.exit(2);
}

/** Minimal CSV reader for electronegativity's output (quoted fields, commas inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field.trim());
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

const rows = parseCsv(readFileSync(csv, 'utf8')).slice(1).filter((r) => r.length >= 5 && r[0]);
rmSync(dir, { recursive: true, force: true });
const findings = rows.map(([check, severity, confidence, file, location, sample]) => ({ check: check!, severity, confidence, file: file!, location, sample }));
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
