/**
 * The HTTPS server's TLS settings, the profile AWS's API endpoints offer
 * (TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key exchange with AEAD
 * ciphers, i.e. forward secrecy, BCP 195 / RFC 9325 §4.2): TLS 1.3 suites
 * as Node offers them, server cipher order, and optionally client
 * certificates verified against a CA (mutual TLS).
 *
 * buildTlsOptions() reads the files and returns the options for
 * `fastify({ https })`; reloadTls() swaps new certificates into a running
 * server (server.setSecureContext) for a renewal without a restart.
 */
import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

export interface TlsSettings {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string | undefined;
  readonly requireClientCert: boolean;
}

/** TLS 1.3 suites first (Node's names), then TLS 1.2 ECDHE + AEAD only. */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export class TlsFileError extends Error {
  constructor(readonly file: string, readonly key: string, cause: unknown) {
    super(`http.tls.${key}: cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`);
    this.name = 'TlsFileError';
  }
}

function read(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsFileError(file, key, err);
  }
}

/** The certificate, key and CA: what a reload replaces. */
export function tlsContextOptions(s: TlsSettings): SecureContextOptions {
  return {
    cert: read(s.certFile, 'certFile'),
    key: read(s.keyFile, 'keyFile'),
    ...(s.caFile === undefined ? {} : { ca: read(s.caFile, 'caFile') }),
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  };
}

/** Options for `fastify({ https: buildTlsOptions(settings.tls) })`. */
export function buildTlsOptions(s: TlsSettings): TlsOptions {
  return {
    ...tlsContextOptions(s),
    requestCert: s.requireClientCert,
    rejectUnauthorized: s.requireClientCert,
  };
}

/** Re-reads the files into a running server; a file that cannot be read leaves the old context. */
export function reloadTls(server: { setSecureContext(options: SecureContextOptions): void }, s: TlsSettings): void {
  server.setSecureContext(tlsContextOptions(s));
}
