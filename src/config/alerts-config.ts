/**
 * The `alerts` section: the engine's timers, grouping and routing, the
 * sinks notifications go to, and the delivery retry policy.
 *
 * Secrets (a webhook's signing key, a Slack webhook URL, a PagerDuty
 * routing key, an Authorization header) may be given inline, from a file
 * (`…File`, read at load, relative to the config) or from the environment
 * (`…Env`, the variable's name): the config file can then be committed
 * and the secret kept in the container's secret store. Exactly one form.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ALERT_TYPES, type AlertType } from '../alerts/alert.js';
import type { Fail, Json, KeyPath } from './detection-config.js';

export type SinkType = 'webhook' | 'slack' | 'pagerduty' | 'alertmanager';

interface SinkCommon {
  readonly name: string;
  readonly timeoutMs: number | undefined;
  /** Requests in flight to this sink at once. */
  readonly concurrency: number | undefined;
}

export type SinkSettings =
  | (SinkCommon & { readonly type: 'webhook'; readonly url: string; readonly secret: string | undefined; readonly headers: Readonly<Record<string, string>> })
  | (SinkCommon & { readonly type: 'slack'; readonly url: string; readonly maxAlerts: number | undefined })
  | (SinkCommon & {
      readonly type: 'pagerduty';
      readonly routingKey: string;
      readonly url: string | undefined;
      readonly source: string | undefined;
      readonly clientUrl: string | undefined;
      readonly maxAlerts: number | undefined;
    })
  | (SinkCommon & {
      readonly type: 'alertmanager';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly resendValidityMs: number | undefined;
      readonly externalUrl: string | undefined;
    });

export interface AlertsSettings {
  readonly holdDown: { readonly fireMs: number; readonly resolveMs: number; readonly byType: Partial<Record<AlertType, { fireMs?: number; resolveMs?: number }>> };
  readonly grouping: {
    readonly groupBy: readonly string[];
    readonly groupWaitMs: number;
    readonly groupIntervalMs: number;
    readonly repeatIntervalMs: number;
    readonly maxAlertsPerNotification: number;
  };
  readonly retention: { readonly resolvedMs: number; readonly maxResolved: number };
  readonly routes: readonly { readonly name?: string; readonly match?: string; readonly sinks: readonly string[]; readonly continue?: boolean }[];
  readonly defaultSinks: readonly string[];
  readonly sinks: readonly SinkSettings[];
  readonly delivery: { readonly maxAttempts: number; readonly maxAgeMs: number; readonly backoffBaseMs: number; readonly backoffCapMs: number };
}

export const ALERTS_DEFAULTS = Object.freeze({
  fireSeconds: 30,
  resolveSeconds: 300,
  groupBy: Object.freeze(['type', 'vif', 'origin']),
  groupWaitSeconds: 30,
  groupIntervalSeconds: 300,
  repeatSeconds: 4 * 3600,
  maxAlerts: 20,
  resolvedRetentionHours: 24,
  maxResolved: 50_000,
  maxAttempts: 12,
  maxAgeHours: 24,
  backoffBaseSeconds: 1,
  backoffCapSeconds: 300,
});

/** Which keys each sink type takes, beyond name, type, timeoutSeconds and concurrency. */
const KEYS_OF: Readonly<Record<SinkType, readonly string[]>> = {
  webhook: ['url', 'secret', 'secretFile', 'secretEnv', 'headers'],
  slack: ['url', 'urlFile', 'urlEnv', 'maxAlerts'],
  pagerduty: ['routingKey', 'routingKeyFile', 'routingKeyEnv', 'url', 'source', 'clientUrl', 'maxAlerts'],
  alertmanager: ['url', 'headers', 'resendValiditySeconds', 'externalUrl'],
};
const COMMON_KEYS = ['name', 'type', 'timeoutSeconds', 'concurrency'];

export function buildAlerts(raw: Json, file: string, fail: Fail, env: NodeJS.ProcessEnv = process.env): AlertsSettings {
  const a = (raw.alerts ?? {}) as Json;
  const D = ALERTS_DEFAULTS;
  const hold = (a.holdDown ?? {}) as Json;
  const group = (a.grouping ?? {}) as Json;
  const retention = (a.retention ?? {}) as Json;
  const delivery = (a.delivery ?? {}) as Json;
  const sec = (v: unknown, d: number) => ((v as number | undefined) ?? d) * 1000;

  const byType: Partial<Record<AlertType, { fireMs?: number; resolveMs?: number }>> = {};
  for (const [type, v] of Object.entries((hold.byType ?? {}) as Record<string, Json>)) {
    if (!(ALERT_TYPES as readonly string[]).includes(type)) fail(['alerts', 'holdDown', 'byType', type], `expected an alert type (${ALERT_TYPES.join(', ')})`);
    byType[type as AlertType] = {
      ...(v.fireSeconds === undefined ? {} : { fireMs: (v.fireSeconds as number) * 1000 }),
      ...(v.resolveSeconds === undefined ? {} : { resolveMs: (v.resolveSeconds as number) * 1000 }),
    };
  }

  const names = new Set<string>();
  const sinks = ((a.sinks ?? []) as Json[]).map((s, i) => {
    const sink = buildSink(s, ['alerts', 'sinks', i], dirname(file), fail, env);
    if (names.has(sink.name)) fail(['alerts', 'sinks', i, 'name'], `the sink name ${JSON.stringify(sink.name)} is used twice`);
    names.add(sink.name);
    return sink;
  });
  const known = (list: unknown, where: KeyPath): string[] =>
    ((list ?? []) as string[]).map((n, j) => (names.has(n) ? n : fail([...where, j], `expected the name of a sink in alerts.sinks (${[...names].join(', ') || 'none defined'}), got ${JSON.stringify(n)}`)));
  const routes = ((a.routes ?? []) as Json[]).map((r, i) =>
    Object.freeze({
      ...(r.name === undefined ? {} : { name: r.name as string }),
      ...(r.match === undefined ? {} : { match: r.match as string }),
      sinks: Object.freeze(known(r.sinks, ['alerts', 'routes', i, 'sinks'])),
      ...(r.continue === undefined ? {} : { continue: r.continue as boolean }),
    }),
  );
  // With no rules and no defaults, every sink gets every notification: the obvious meaning of a lone sink.
  const defaultSinks = a.defaultSinks === undefined ? (routes.length === 0 ? [...names] : []) : known(a.defaultSinks, ['alerts', 'defaultSinks']);

  return Object.freeze({
    holdDown: Object.freeze({ fireMs: sec(hold.fireSeconds, D.fireSeconds), resolveMs: sec(hold.resolveSeconds, D.resolveSeconds), byType: Object.freeze(byType) }),
    grouping: Object.freeze({
      groupBy: Object.freeze([...((group.by as string[] | undefined) ?? D.groupBy)]),
      groupWaitMs: sec(group.waitSeconds, D.groupWaitSeconds),
      groupIntervalMs: sec(group.intervalSeconds, D.groupIntervalSeconds),
      repeatIntervalMs: sec(group.repeatSeconds, D.repeatSeconds),
      maxAlertsPerNotification: (group.maxAlerts as number | undefined) ?? D.maxAlerts,
    }),
    retention: Object.freeze({ resolvedMs: sec(retention.resolvedHours, D.resolvedRetentionHours) * 3600, maxResolved: (retention.maxResolved as number | undefined) ?? D.maxResolved }),
    routes: Object.freeze(routes),
    defaultSinks: Object.freeze(defaultSinks),
    sinks: Object.freeze(sinks),
    delivery: Object.freeze({
      maxAttempts: (delivery.maxAttempts as number | undefined) ?? D.maxAttempts,
      maxAgeMs: sec(delivery.maxAgeHours, D.maxAgeHours) * 3600,
      backoffBaseMs: sec(delivery.backoffBaseSeconds, D.backoffBaseSeconds),
      backoffCapMs: sec(delivery.backoffCapSeconds, D.backoffCapSeconds),
    }),
  });
}

function buildSink(s: Json, where: KeyPath, base: string, fail: Fail, env: NodeJS.ProcessEnv): SinkSettings {
  const type = s.type as SinkType;
  const allowed = new Set([...COMMON_KEYS, ...KEYS_OF[type]]);
  for (const key of Object.keys(s)) {
    if (!allowed.has(key)) fail([...where, key], `not a setting of ${type} sinks (expected one of ${[...allowed].join(', ')})`);
  }
  const secret = (key: string, required: boolean): string | undefined => {
    const given = [key, `${key}File`, `${key}Env`].filter((k) => s[k] !== undefined);
    if (given.length > 1) fail([...where, given[1]!], `give ${key} one way only (${given.join(' and ')} are both set)`);
    if (given.length === 0) return required ? fail(where, `a ${type} sink needs ${key} (or ${key}File, ${key}Env)`) : undefined;
    const k = given[0]!;
    if (k === key) return s[k] as string;
    if (k.endsWith('File')) {
      const path = resolve(base, s[k] as string);
      try {
        return readFileSync(path, 'utf8').trim();
      } catch (err) {
        return fail([...where, k], `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    const value = env[s[k] as string];
    return value === undefined || value === '' ? fail([...where, k], `the environment variable ${s[k] as string} is not set`) : value;
  };
  const url = (v: string | undefined, key: string): string | undefined => {
    if (v === undefined) return undefined;
    return /^https?:\/\/[^\s/]+/.test(v) ? v : fail([...where, key], 'expected an http:// or https:// URL');
  };
  const common = {
    name: s.name as string,
    timeoutMs: s.timeoutSeconds === undefined ? undefined : (s.timeoutSeconds as number) * 1000,
    concurrency: s.concurrency as number | undefined,
  };
  const headers = Object.freeze({ ...((s.headers ?? {}) as Record<string, string>) });
  switch (type) {
    case 'webhook':
      return Object.freeze({ ...common, type, url: url(s.url as string, 'url') ?? fail(where, 'a webhook sink needs url'), secret: secret('secret', false), headers });
    case 'slack':
      return Object.freeze({ ...common, type, url: url(secret('url', true), 'url')!, maxAlerts: s.maxAlerts as number | undefined });
    case 'pagerduty':
      return Object.freeze({
        ...common,
        type,
        routingKey: secret('routingKey', true)!,
        url: url(s.url as string | undefined, 'url'),
        source: s.source as string | undefined,
        clientUrl: url(s.clientUrl as string | undefined, 'clientUrl'),
        maxAlerts: s.maxAlerts as number | undefined,
      });
    case 'alertmanager':
      return Object.freeze({
        ...common,
        type,
        url: url(s.url as string, 'url') ?? fail(where, 'an alertmanager sink needs url'),
        headers,
        resendValidityMs: s.resendValiditySeconds === undefined ? undefined : (s.resendValiditySeconds as number) * 1000,
        externalUrl: url(s.externalUrl as string | undefined, 'externalUrl'),
      });
  }
}
