/**
 * BGP sessions out of a capture: every TCP stream framed into messages with
 * readBgpMessage, OPENs decoded, and every UPDATE decoded with the
 * capabilities its connection negotiated — negotiate(sender's OPEN,
 * receiver's OPEN) when both are in the capture, else `fallback` (captures
 * that start after the OPENs; the test says why it picked them).
 */
import type { SessionCapabilities } from '../../../src/bgp/capabilities.js';
import { BGP_MAX_EXTENDED_MESSAGE_LENGTH, readBgpMessage } from '../../../src/bgp/message.js';
import { type BgpOpen, decodeOpen, negotiate } from '../../../src/bgp/open.js';
import { type BgpUpdate, decodeUpdate } from '../../../src/bgp/update.js';
import { tcpStreams } from './capture.js';

export interface CapturedMessage {
  /** "srcPort>dstPort" of the TCP stream. */
  readonly stream: string;
  readonly type: number;
  readonly body: Uint8Array;
  /** Offset of the body in the stream. */
  readonly offset: number;
  open?: BgpOpen;
  update?: BgpUpdate;
  caps?: SessionCapabilities;
  /** What decodeOpen/decodeUpdate threw. */
  error?: unknown;
}

export interface CapturedSessions {
  readonly messages: CapturedMessage[];
  /** What framing a stream threw (it stops there), per stream. */
  readonly framingErrors: { stream: string; offset: number; error: unknown }[];
  /** Streams that ended in the middle of a message (a cut capture). */
  readonly leftovers: number;
}

export function decodeSessions(path: string, fallback: SessionCapabilities): CapturedSessions {
  const messages: CapturedMessage[] = [];
  const framingErrors: CapturedSessions['framingErrors'] = [];
  let leftovers = 0;
  for (const s of tcpStreams(path)) {
    let p = 0;
    while (p < s.bytes.length) {
      let m;
      try {
        // Extended messages (RFC 8654) are in some captures; a framer on a live session would use the negotiated limit.
        m = readBgpMessage(s.bytes.subarray(p), { maxLength: BGP_MAX_EXTENDED_MESSAGE_LENGTH, streamOffset: p });
      } catch (error) {
        if ((error as { kind?: string }).kind === 'truncated') leftovers++;
        else framingErrors.push({ stream: s.key, offset: p, error });
        break;
      }
      messages.push({ stream: s.key, type: m.type, body: m.body, offset: p + 19 });
      p += m.length;
    }
  }
  const opens = new Map<string, BgpOpen>();
  for (const m of messages) {
    if (m.type !== 1) continue;
    try {
      m.open = decodeOpen(m.body, m.offset);
      opens.set(m.stream, m.open);
    } catch (error) {
      m.error = error;
    }
  }
  for (const m of messages) {
    if (m.type !== 2) continue;
    const [src, dst] = m.stream.split('>');
    const sender = opens.get(m.stream);
    const receiver = opens.get(`${dst}>${src}`);
    m.caps = sender !== undefined && receiver !== undefined ? negotiate(sender, receiver) : fallback;
    try {
      m.update = decodeUpdate(m.body, m.caps, m.offset);
    } catch (error) {
      m.error = error;
    }
  }
  return { messages, framingErrors, leftovers };
}
