/**
 * Response headers every answer carries, per the OWASP Secure Headers
 * Project's recommendations for APIs: no MIME sniffing (X-Content-Type-
 * Options), no caching of answers that may hold alert or route data
 * (Cache-Control: no-store, RFC 9111 §5.2.2.5), nothing to load or frame
 * (CSP default-src 'none'; the /docs page gets a CSP that lets Swagger UI
 * load its own files), no Referer leak, and HSTS (RFC 6797) over TLS.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
export const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
export const HSTS = 'max-age=31536000';

export interface HeaderTarget {
  getHeader(name: string): unknown;
  header(name: string, value: string): unknown;
}

export function applySecurityHeaders(reply: HeaderTarget, path: string, tls: boolean): void {
  const docs = path === '/docs' || path.startsWith('/docs/');
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('Content-Security-Policy', docs ? DOCS_CSP : API_CSP);
  // A route that sets its own caching (static docs files) knows better.
  if (!docs && reply.getHeader('cache-control') === undefined) reply.header('Cache-Control', 'no-store');
  if (tls) reply.header('Strict-Transport-Security', HSTS);
}
