/**
 * A local STS endpoint for credential tests: node:http on 127.0.0.1, port
 * 0, speaking the AWS Query protocol STS uses (STS API Reference,
 * "AssumeRole", "AssumeRoleWithWebIdentity"; Smithy, "AWS query
 * protocol"): a form-encoded POST with `Action` and `Version=2011-06-15`,
 * answered with XML in the `https://sts.amazonaws.com/doc/2011-06-15/`
 * namespace.
 *
 * AssumeRole must be SigV4-signed (service `sts`) by a key the test
 * registers, checked with rovd's own verifier; a bad signature gets AWS's
 * 403 `SignatureDoesNotMatch` in the Query error format.
 * AssumeRoleWithWebIdentity is unsigned (the token is the proof) and must
 * carry the token the test expects. Each success issues the next
 * credentials from `issue` and records the request's parameters.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Secret } from '../../src/http/security/secret.js';
import { SigV4Verifier } from '../../src/http/security/sigv4-verify.js';

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface StsCall {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
}

export interface FakeStsOptions {
  readonly region: string;
  /** Keys allowed to call AssumeRole (access key id → secret). */
  readonly keys: Readonly<Record<string, string>>;
  /** The web identity token AssumeRoleWithWebIdentity accepts. */
  readonly webIdentityToken?: string;
  /** The credentials to hand out, one per successful call (the last repeats). */
  readonly issue: readonly IssuedCredentials[];
}

export class FakeSts {
  readonly calls: StsCall[] = [];
  private issued = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly issue: readonly IssuedCredentials[],
  ) {}

  static async start(options: FakeStsOptions): Promise<FakeSts> {
    const verifier = new SigV4Verifier({
      region: options.region,
      service: 'sts',
      clockSkewMs: 5 * 60_000,
      keys: new Map(Object.entries(options.keys).map(([id, secret]) => [id, new Secret(secret)])),
    });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeSts(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options.issue);
    server.on('connection', (socket: Socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const params = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
        const action = params.Action ?? '';
        fake.calls.push({ action, params, headers: req.headers });
        const reply = (status: number, xml: string): void => {
          res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-RequestId': randomUUID() });
          res.end(xml);
        };
        if (params.Version !== '2011-06-15') return reply(400, queryError('InvalidAction', 'Version must be 2011-06-15'));
        if (action === 'AssumeRole') {
          const verdict = verifier.verify({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: raw });
          if (!verdict.ok) return reply(403, queryError('SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided. (${verdict.reason})`));
          return reply(200, fake.credentialsXml('AssumeRole', params));
        }
        if (action === 'AssumeRoleWithWebIdentity') {
          if (params.WebIdentityToken !== options.webIdentityToken) return reply(400, queryError('InvalidIdentityToken', 'The web identity token is not valid'));
          return reply(200, fake.credentialsXml('AssumeRoleWithWebIdentity', params));
        }
        return reply(400, queryError('InvalidAction', `Could not find operation ${action}`));
      });
    });
    return fake;
  }

  private credentialsXml(action: string, params: Readonly<Record<string, string>>): string {
    const c = this.issue[Math.min(this.issued++, this.issue.length - 1)]!;
    return [
      `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`,
      `<${action}Result>`,
      '<Credentials>',
      `<AccessKeyId>${c.accessKeyId}</AccessKeyId>`,
      `<SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>`,
      `<SessionToken>${c.sessionToken}</SessionToken>`,
      `<Expiration>${c.expiration.toISOString()}</Expiration>`,
      '</Credentials>',
      `<AssumedRoleUser><Arn>${params.RoleArn ?? ''}/${params.RoleSessionName ?? ''}</Arn><AssumedRoleId>AROAFAKE:${params.RoleSessionName ?? ''}</AssumedRoleId></AssumedRoleUser>`,
      `</${action}Result>`,
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`,
      `</${action}Response>`,
    ].join('');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The AWS Query protocol's error body. */
function queryError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
