/**
 * Which VIF a BGP peer seen over BMP belongs to: by the router (the BMP
 * session's source address) and the peer address in the per-peer header
 * (RFC 7854 §4.2). A peer no VIF names is still watched and validated,
 * under the label `unmapped`.
 */
import { canonicalAddress } from '../net/address.js';
import type { Vif } from './vif.js';

export const UNMAPPED = 'unmapped';

export class VifMap {
  private readonly byRouterPeer = new Map<string, Vif>();
  private readonly byId = new Map<string, Vif>();

  constructor(readonly vifs: readonly Vif[]) {
    for (const vif of vifs) {
      this.byId.set(vif.id, vif);
      if (vif.router === undefined) continue;
      for (const peer of vif.peers) this.byRouterPeer.set(key(vif.router, peer.address), vif);
    }
  }

  /** The VIF of a peer on a router, or undefined when none is configured. */
  lookup(routerAddress: string, peerAddress: string): Vif | undefined {
    const r = canonicalAddress(routerAddress);
    const p = canonicalAddress(peerAddress);
    if (r === undefined || p === undefined) return undefined;
    return this.byRouterPeer.get(`${r}|${p}`);
  }

  /** The VIF id for labels and events: the configured id, or `unmapped`. */
  label(routerAddress: string, peerAddress: string): string {
    return this.lookup(routerAddress, peerAddress)?.id ?? UNMAPPED;
  }

  get(id: string): Vif | undefined {
    return this.byId.get(id);
  }
}

function key(router: string, peer: string): string {
  return `${canonicalAddress(router)}|${canonicalAddress(peer)}`;
}
