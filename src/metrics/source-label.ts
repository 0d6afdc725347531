/**
 * A VRP source's name as a label value. A source is named by its path or
 * URL unless configured otherwise, and a URL may carry credentials
 * (`https://user:secret@…`) or a token in its query: a label keeps the
 * scheme, host and path only. Metrics end up in dashboards, long-term
 * storage and screenshots; secrets must not.
 */
export function sourceLabel(name: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return name;
  try {
    const u = new URL(name);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return name;
  }
}
