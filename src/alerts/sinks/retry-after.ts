/**
 * Retry-After (RFC 9110 §10.2.3): `delay-seconds` (1*DIGIT) or an
 * HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms, which
 * Date.parse reads). Slack and PagerDuty send it with 429, Alertmanager
 * and proxies with 503.
 */

/** Milliseconds to wait from `nowMs`, or undefined if the header is absent or unreadable. A past date is 0. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // A date has letters in it; Date.parse of a bare or signed number would read it as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
