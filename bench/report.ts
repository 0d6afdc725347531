/**
 * How the benchmarks print: sections of aligned lines, the machine they ran
 * on, and a table of targets with PASS or FAIL. One format for bench:rov,
 * bench:rtr and bench:ingest, so docs/benchmarks.md can quote any of them.
 */
import { type Machine, machine } from './measure.js';

/** One row of the targets table; `pass` undefined for figures without a verdict. */
export interface Check {
  readonly name: string;
  readonly figure: string;
  readonly target: string;
  readonly pass: boolean | undefined;
}

export function section(title: string): void {
  console.log(`\n== ${title}`);
}

export function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(46)} ${value}`);
}

export function loadAverages(values: readonly number[]): string {
  return values.map((v) => v.toFixed(2)).join(' ');
}

/** The header: what ran, where, with which flags; `cpuNote` says what shared the CPU. */
export function printMachine(title: string, m: Machine, cpuNote: string): void {
  console.log(title);
  line('date', m.date);
  line('cpu', `${m.cpu} (${m.cores} cores; ${cpuNote})`);
  line('ram', `${m.ramGiB.toFixed(1)} GiB`);
  line('node', `${m.node} (V8 ${m.v8}), ${m.platform}`);
  line('load average (1, 5, 15 min)', loadAverages(m.loadAverage));
  line('flags', process.execArgv.join(' ') || '(none)');
}

/** The targets table, the load at the end, and exit code 1 when a target failed. */
export function printChecks(checks: readonly Check[], started: Machine, quick: boolean, figureWidth = 10): void {
  section(quick ? 'targets (quick run: figures only; targets apply to the full run)' : 'targets');
  for (const c of checks) {
    const result = c.pass === undefined ? '-' : c.pass ? 'PASS' : 'FAIL';
    console.log(`  ${c.name.padEnd(52)} ${c.figure.padStart(figureWidth)}   ${c.target.padEnd(12)} ${result}`);
  }
  line('load average at the end', `${loadAverages(started.loadAverage)} -> ${loadAverages(machine().loadAverage)}`);
  if (checks.some((c) => c.pass === false)) process.exitCode = 1;
}
