// Enforces the project's line-coverage floor on the report tap just wrote.
// tap 21 only knows "100% or anything"; we want a real, met threshold.
import { readFileSync } from 'node:fs';

const floor = Number(process.argv[2] ?? '85');
let summary;
try {
  summary = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8'));
} catch (err) {
  console.error(`check-coverage: cannot read .tap/report/coverage-summary.json (${err.message}); did tap run with coverage?`);
  process.exit(1);
}
const lines = summary.total.lines.pct;
if (!(lines >= floor)) {
  console.error(`check-coverage: line coverage ${lines}% is below the ${floor}% floor`);
  process.exit(1);
}
console.log(`check-coverage: line coverage ${lines}% (floor ${floor}%)`);
