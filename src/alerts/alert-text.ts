/**
 * The one line a notification carries for its group, e.g.
 * "RPKI-invalid: 10,000 routes from AS64511 on dxvif-abc (first: 203.0.113.0/24)".
 * A group of one says what its alert says (the detector wrote that line
 * for exactly this case).
 */
import type { Alert, AlertLabels, AlertType } from './alert.js';

/** Title and the noun one alert of the type stands for (singular, plural). */
export const TYPE_TEXT: Readonly<Record<AlertType, readonly [string, string, string]>> = Object.freeze({
  'rpki-invalid': ['RPKI-invalid', 'route', 'routes'],
  'rpki-vrp-removed': ['VRP removed', 'route', 'routes'],
  'origin-hijack': ['Origin hijack', 'prefix', 'prefixes'],
  'subprefix-hijack': ['Sub-prefix hijack', 'more-specific', 'more-specifics'],
  'own-prefix-missing': ['Own prefix missing', 'prefix', 'prefixes'],
  'unexpected-prefix': ['Unexpected prefix', 'prefix', 'prefixes'],
  'prefix-limit': ['Prefix limit', 'session', 'sessions'],
  'session-down': ['Session down', 'session', 'sessions'],
  'bmp-session-down': ['BMP session down', 'router', 'routers'],
  'rpki-stale': ['RPKI data stale', 'source set', 'source sets'],
  'aspa-invalid': ['ASPA-invalid', 'route', 'routes'],
  'store-write-failed': ['Store write failed', 'journal', 'journals'],
  'route-divergence': ['BMP/API divergence', 'route', 'routes'],
  'aws-api-error': ['Direct Connect API failing', 'region', 'regions'],
});

const COUNT = new Intl.NumberFormat('en-US');

export function groupSummary(
  status: 'firing' | 'resolved',
  type: AlertType,
  groupLabels: AlertLabels,
  counts: { readonly firing: number; readonly resolved: number },
  first: Alert | undefined,
): string {
  const [title, one, many] = TYPE_TEXT[type];
  const n = status === 'firing' ? counts.firing : counts.resolved;
  if (n === 1 && first !== undefined && counts.resolved === 0 && status === 'firing') return first.summary;
  let text = `${title}: ${COUNT.format(n)} ${n === 1 ? one : many}`;
  const origin = groupLabels.origin;
  if (origin !== undefined) text += ` from ${/^as/i.test(origin) ? origin : `AS${origin}`}`;
  if (groupLabels.vif !== undefined) text += ` on ${groupLabels.vif}`;
  const prefix = first?.labels.prefix;
  if (prefix !== undefined) text += ` (first: ${prefix})`;
  if (status === 'resolved') return `Resolved: ${text}`;
  if (counts.resolved > 0) text += `; ${COUNT.format(counts.resolved)} resolved`;
  return text;
}
