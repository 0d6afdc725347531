/**
 * The API's TLS profile (src/http/security/tls.ts) against real clients,
 * `openssl s_client` (per /work/shared/PEERS.md) and Node's tls client:
 * TLS 1.1 refused, TLS 1.2 without ECDHE refused, TLS 1.2
 * ECDHE-RSA-AES128-GCM-SHA256 accepted, TLS 1.3 accepted, and with
 * requireClientCert a client without a certificate refused and one with a
 * certificate from the CA accepted.
 *
 * OpenSSL 3 will not offer TLS 1.1 at its default security level, so the
 * client is told `-cipher DEFAULT:@SECLEVEL=0`, and both negative checks
 * are run once against a deliberately weak server to prove they can fail.
 * Throwaway certificates are made with `openssl req -x509` in a temp dir.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { NOOP_LOGGER } from '../../src/log/logger.js';
import { registerSecurity } from '../../src/http/security/plugin.js';
import { buildTlsOptions, type TlsSettings } from '../../src/http/security/tls.js';
import { findPeer, runBounded } from '../helpers/peers.js';

const openssl = findPeer(t, 'openssl');
if (openssl !== undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ossl = async (...args: string[]) => {
    const r = await runBounded(openssl, args, 30_000);
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.output}`);
  };
  const f = (name: string) => join(dir, name);
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  await ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.crt'), '-days', '1', ...subj('localhost'), '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  await ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', ...subj('rovd test client CA'));
  await ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), ...subj('rovd-client'));
  await ossl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('client.crt'), '-days', '1');

  const serve = async (https: object, settings = parseConfig('{}', '/cfg/rovd.yaml').http): Promise<{ app: FastifyInstance; port: number }> => {
    const app = Fastify({ https });
    registerSecurity(app, { settings, logger: NOOP_LOGGER });
    app.get('/v1/status', { config: { action: 'rovd:GetStatus' } }, async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    t.teardown(() => app.close());
    return { app, port: (app.server.address() as { port: number }).port };
  };
  const tlsSettings: TlsSettings = { certFile: f('server.crt'), keyFile: f('server.key'), caFile: undefined, requireClientCert: false };

  /** The protocol and cipher s_client agreed on, or undefined when the handshake failed. */
  const sClient = async (port: number, ...args: string[]): Promise<{ protocol: string; cipher: string } | undefined> => {
    const { output } = await runBounded(openssl, ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], 15_000);
    // s_client prints the session block even when the server then refuses (an alert after
    // the client's flight, as when a client certificate is missing): any error line is a refusal.
    if (/:error:|SSL alert number/.test(output)) return undefined;
    // TLS 1.2 prints an SSL-Session block; TLS 1.3 ends before it, after "New, TLSv1.3, Cipher is …".
    const summary = /^New, (TLSv1\.3), Cipher is (\S+)/m.exec(output);
    const protocol = /^\s*Protocol\s*:\s*(\S+)/m.exec(output)?.[1] ?? summary?.[1];
    const cipher = /^\s*Cipher\s*:\s*(\S+)/m.exec(output)?.[1] ?? summary?.[2];
    if (protocol === undefined || cipher === undefined || cipher === '0000' || cipher === '(NONE)') return undefined;
    return { protocol, cipher };
  };
  const TLS11 = ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0'];
  const NO_ECDHE = ['-tls1_2', '-cipher', 'AES128-GCM-SHA256'];

  t.test('the negative checks can fail: a weak server accepts TLS 1.1 and RSA key exchange', async (t) => {
    const { port } = await serve({ cert: readFileSync(f('server.crt')), key: readFileSync(f('server.key')), minVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    t.match(await sClient(port, ...TLS11), { protocol: 'TLSv1.1' }, 'TLS 1.1 handshake completes against the weak server');
    t.match(await sClient(port, ...NO_ECDHE), { protocol: 'TLSv1.2', cipher: 'AES128-GCM-SHA256' }, 'AES128-GCM-SHA256 completes against the weak server');
  });

  t.test("rovd's profile", async (t) => {
    const { port } = await serve(buildTlsOptions(tlsSettings));
    t.equal(await sClient(port, ...TLS11), undefined, 'openssl: TLS 1.1 refused');
    t.equal(await sClient(port, ...NO_ECDHE), undefined, 'openssl: TLS 1.2 AES128-GCM-SHA256 (no ECDHE) refused');
    t.same(await sClient(port, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'), { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }, 'openssl: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 accepted');
    t.same(await sClient(port, '-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'), { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-CHACHA20-POLY1305' }, 'openssl: TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305 accepted');
    t.same(await sClient(port, '-tls1_3'), { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, "openssl: TLS 1.3 accepted, with the server's first suite");

    const nodeClient = (opts: object) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts }, () => {
          resolve(`${socket.getProtocol()} ${socket.getCipher().standardName}`);
          socket.end();
        });
        socket.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      });
    t.match(await nodeClient({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }), /^error /, 'node: TLS 1.1 refused');
    t.match(await nodeClient({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }), /^error /, 'node: RSA key exchange refused');
    t.equal(await nodeClient({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), 'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'node: TLS 1.2 ECDHE accepted');
    t.match(await nodeClient({ minVersion: 'TLSv1.3' }), /^TLSv1\.3 TLS_/, 'node: TLS 1.3 accepted');
  });

  t.test('client certificates required', async (t) => {
    const settings = { ...tlsSettings, caFile: f('ca.crt'), requireClientCert: true };
    const { port } = await serve(buildTlsOptions(settings));
    const get = (withCert: boolean) =>
      new Promise<string>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/v1/status',
            ca: readFileSync(f('server.crt')),
            servername: 'localhost',
            ...(withCert ? { cert: readFileSync(f('client.crt')), key: readFileSync(f('client.key')) } : {}),
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(`status ${res.statusCode}`));
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
        req.end();
      });
    t.match(await get(false), /^error /, 'node https without a certificate: refused');
    t.equal(await get(true), 'status 200', 'node https with a certificate from the CA: accepted');
    t.equal(await sClient(port, '-tls1_2'), undefined, 'openssl TLS 1.2 without a certificate: refused');
    t.same(await sClient(port, '-tls1_2', '-cert', f('client.crt'), '-key', f('client.key')), { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }, "openssl with a certificate: accepted (the server's first choice: honorCipherOrder)");
  });
}
