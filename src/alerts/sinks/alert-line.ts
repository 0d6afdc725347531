/**
 * Short text for chat and pager payloads: one line per alert, and length
 * limits applied by cutting with an ellipsis (never by failing: a page
 * with a shortened line beats no page).
 */
import type { Alert } from '../alert.js';

/** `text` cut to at most `max` characters (code units), ending in … when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Do not split a surrogate pair: a lone half is invalid UTF-16 and Slack refuses the payload.
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * What an operator needs to recognise an alert: prefix, origin, VIF,
 * validation state and reason, then its summary; parts that do not apply
 * (a session-down has no prefix) are left out.
 */
export function alertLine(alert: Alert): string {
  const parts: string[] = [];
  const prefix = alert.labels.prefix;
  if (prefix !== undefined) parts.push(prefix);
  const origin = alert.labels.origin;
  if (origin !== undefined) parts.push(`origin ${/^\d+$/.test(origin) ? `AS${origin}` : origin}`);
  const vif = alert.labels.vif ?? alert.context.vif;
  if (vif !== undefined) parts.push(`VIF ${vif}`);
  const state = alert.evidence.state;
  if (state !== undefined) parts.push(alert.evidence.reason ? `${state} (${alert.evidence.reason})` : state);
  if (alert.status === 'resolved') parts.push('resolved');
  const head = parts.join(' · ');
  return head === '' ? alert.summary : `${head}: ${alert.summary}`;
}
