/**
 * A sink from its config settings (src/config/alerts-config.ts).
 *
 * `repeatIntervalMs` is the engine's: Alertmanager resolves an alert by
 * itself once its endsAt passes, so a firing alert posted with
 * endsAt = now + validity must be re-posted before that. The engine
 * re-notifies a firing group every repeat interval, hence the default
 * validity of three intervals (a week when repeats are off).
 */
import type { SinkSettings } from '../../config/alerts-config.js';
import type { Sink } from '../notification.js';
import { AlertmanagerSink } from './alertmanager.js';
import { PagerDutySink } from './pagerduty.js';
import { SlackSink } from './slack.js';
import { WebhookSink } from './webhook.js';

export function makeSink(s: SinkSettings, options: { readonly now?: () => number; readonly repeatIntervalMs?: number } = {}): Sink {
  const now = options.now;
  const common = { name: s.name, ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }), ...(now === undefined ? {} : { now }) };
  switch (s.type) {
    case 'webhook':
      return new WebhookSink({ ...common, url: s.url, ...(s.secret === undefined ? {} : { secret: s.secret }), headers: s.headers });
    case 'slack':
      return new SlackSink({ ...common, url: s.url, ...(s.maxAlerts === undefined ? {} : { maxAlerts: s.maxAlerts }) });
    case 'pagerduty':
      return new PagerDutySink({
        ...common,
        routingKey: s.routingKey,
        ...(s.url === undefined ? {} : { url: s.url }),
        ...(s.source === undefined ? {} : { source: s.source }),
        ...(s.clientUrl === undefined ? {} : { clientUrl: s.clientUrl }),
        ...(s.maxAlerts === undefined ? {} : { maxAlerts: s.maxAlerts }),
      });
    case 'alertmanager':
      return new AlertmanagerSink({
        ...common,
        url: s.url,
        headers: s.headers,
        resendValidityMs: s.resendValidityMs ?? (options.repeatIntervalMs ? 3 * options.repeatIntervalMs : 7 * 24 * 3_600_000),
        ...(s.externalUrl === undefined ? {} : { externalUrl: s.externalUrl }),
      });
  }
}
