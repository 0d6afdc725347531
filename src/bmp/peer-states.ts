/**
 * The peers of one BMP session and the capabilities their UPDATEs are
 * decoded with: RFC 7854 §4.10 Peer Up gives the OPENs (peer-up.ts
 * `peerCapabilities`), kept per peer key until Peer Down (§4.9). The
 * per-message A flag (RFC 7854 §4.2, peer types 0-2) decides 2- or 4-octet
 * AS numbers: the router may reformat AS_PATHs to 4 octets whatever the
 * session negotiated. Route Monitoring for a peer never announced by Peer
 * Up is decoded with the A flag and no ADD-PATH (`fallback`): ADD-PATH is
 * never guessed.
 *
 * One copy lives in the router session and, when decoding runs on a
 * thread (decoder-thread.ts), one in the thread: both see the same
 * messages in the same order, so they agree.
 */
import { type SessionCapabilities, capabilities } from '../bgp/capabilities.js';
import { BmpPeerType } from './constants.js';
import type { BmpPeerCapabilities } from './events.js';
import { type BmpPeerUp, peerCapabilities } from './peer-up.js';
import type { BmpPerPeerHeader } from './per-peer-header.js';

interface PeerState {
  readonly caps: BmpPeerCapabilities;
  /** Adj-RIB-In / Adj-RIB-Out capabilities with the other asn4 (for the per-message A flag). */
  readonly inOtherAs: SessionCapabilities;
  readonly outOtherAs: SessionCapabilities;
}

const FALLBACK_AS4 = capabilities({ asn4: true, extendedMessage: true });
const FALLBACK_AS2 = capabilities({ asn4: false, extendedMessage: true });

export class BmpPeerStates {
  private readonly peers = new Map<string, PeerState>();

  get size(): number {
    return this.peers.size;
  }

  /** Takes a Peer Up; returns the peer's capabilities. Throws (and keeps nothing) when its OPENs do not negotiate. */
  up(peerUp: BmpPeerUp): BmpPeerCapabilities {
    const adjRibIn = peerCapabilities(peerUp, 'adj-rib-in');
    const adjRibOut = peerCapabilities(peerUp, 'adj-rib-out');
    const locRib = peerCapabilities(peerUp, 'loc-rib');
    const state: PeerState = {
      caps: { adjRibIn, adjRibOut, locRib },
      inOtherAs: withAsn4(adjRibIn, !adjRibIn.asn4),
      outOtherAs: withAsn4(adjRibOut, !adjRibOut.asn4),
    };
    this.peers.set(peerUp.header.peer.key, state);
    return state.caps;
  }

  down(key: string): void {
    this.peers.delete(key);
  }

  clear(): void {
    this.peers.clear();
  }

  /** The capabilities to decode this message's UPDATE with, or undefined when the peer had no Peer Up (see fallback()). */
  capabilitiesFor(header: BmpPerPeerHeader): SessionCapabilities | undefined {
    const state = this.peers.get(header.peer.key);
    if (state === undefined) return undefined;
    if (header.peer.type === BmpPeerType.locRib) return state.caps.locRib;
    const base = header.adjRibOut ? state.caps.adjRibOut : state.caps.adjRibIn;
    if (base.asn4 === !header.legacyAs2) return base;
    return header.adjRibOut ? state.outOtherAs : state.inOtherAs;
  }

  /** For a peer without Peer Up: the A flag, no ADD-PATH. */
  static fallback(header: BmpPerPeerHeader): SessionCapabilities {
    return header.peer.type === BmpPeerType.locRib || !header.legacyAs2 ? FALLBACK_AS4 : FALLBACK_AS2;
  }
}

function withAsn4(caps: SessionCapabilities, asn4: boolean): SessionCapabilities {
  const addPath = [...caps.addPath].map((key) => {
    const [afi, safi] = key.split('/');
    return { afi: Number(afi), safi: Number(safi) };
  });
  return capabilities({ asn4, addPath, extendedMessage: caps.extendedMessage });
}
