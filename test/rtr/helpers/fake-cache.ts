/**
 * A scripted RTR cache on 127.0.0.1 for session tests: it records every PDU
 * the router sends and lets the test answer with any PDU (or raw bytes).
 */
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { Prefix } from '../../../src/net/prefix.js';
import type { Asn } from '../../../src/net/asn.js';
import { RtrFramer } from '../../../src/rtr/framer.js';
import type { Pdu, RtrVersion } from '../../../src/rtr/pdu.js';
import { decodePdu, encodePdu } from '../../../src/rtr/pdu-codec.js';

export class FakeCache {
  readonly received: Pdu[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly connectWaiters: (() => void)[] = [];
  socket: Socket | undefined;
  connections = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeCache> {
    const server = createServer();
    const cache = new FakeCache(server);
    server.on('connection', (socket) => cache.accept(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return cache;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  send(...pdus: Pdu[]): void {
    for (const p of pdus) this.socket!.write(encodePdu(p));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket!.write(bytes);
  }

  /** Resolves once `count` PDUs in total have been received. */
  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    if (this.received.length >= count) return;
    await bounded(new Promise<void>((resolve) => this.waiters.push({ count, resolve })), timeoutMs, `${count} PDUs (have ${this.received.length})`);
  }

  /** Resolves once `n` connections in total have been accepted. */
  async waitForConnections(n: number, timeoutMs = 5000): Promise<void> {
    if (this.connections >= n) return;
    await bounded(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.connections >= n) resolve();
          else this.connectWaiters.push(check);
        };
        check();
      }),
      timeoutMs,
      `${n} connections (have ${this.connections})`,
    );
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.socket?.destroy();
    this.socket = socket;
    this.connections++;
    for (const w of this.connectWaiters.splice(0)) w();
    const framer = new RtrFramer();
    socket.on('data', (chunk: Buffer) => {
      for (const f of framer.push(chunk)) this.received.push(decodePdu(f.bytes, f.offset));
      for (const w of [...this.waiters]) {
        if (this.received.length >= w.count) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    socket.on('error', () => undefined);
  }
}

async function bounded(p: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** An IPv4/IPv6 Prefix PDU from text. */
export function prefixPdu(version: RtrVersion, announce: boolean, prefix: string, maxLength: number, asn: number): Pdu {
  const p = Prefix.parse(prefix);
  return p.afi === 4
    ? { type: 4, version, announce, prefix: p, maxLength, asn: asn as Asn }
    : { type: 6, version, announce, prefix: p, maxLength, asn: asn as Asn };
}

export function endOfData(version: RtrVersion, sessionId: number, serial: number): Pdu {
  return version === 0
    ? { type: 7, version: 0, sessionId, serial }
    : { type: 7, version, sessionId, serial, refreshInterval: 3600, retryInterval: 1, expireInterval: 7200 };
}
