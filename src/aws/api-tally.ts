/**
 * Counts of Direct Connect API attempts by account, region, operation and
 * outcome, with their total time, for rovd_aws_api_requests_total and
 * rovd_aws_api_request_seconds_total (src/metrics/aws-metrics.ts). Kept
 * here, not in prom-client, so the client stays free of metrics and the
 * numbers survive a metrics registry being made anew.
 */
import type { AttemptOutcome } from './request-budget.js';

export interface ApiTallyEntry {
  readonly account: string;
  readonly region: string;
  readonly operation: string;
  readonly outcome: AttemptOutcome;
  count: number;
  seconds: number;
}

export class ApiTally {
  private readonly entries = new Map<string, ApiTallyEntry>();

  record(account: string, region: string, operation: string, outcome: AttemptOutcome, ms: number): void {
    const key = `${account}\0${region}\0${operation}\0${outcome}`;
    let e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, (e = { account, region, operation, outcome, count: 0, seconds: 0 }));
    e.count++;
    e.seconds += ms / 1000;
  }

  all(): readonly ApiTallyEntry[] {
    return [...this.entries.values()];
  }
}
