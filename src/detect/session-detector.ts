/**
 * Sessions:
 * - `session-down`: a VIF's BGP peer went down (BMP Peer Down, RFC 7854
 *   §4.9), with the reason the router gave; it clears on Peer Up.
 * - `bmp-session-down`: a router's BMP session ended without the station
 *   stopping: rovd no longer sees that router's routes (they are kept stale
 *   for the grace period). It clears when the router connects again.
 * Only routers and peers a VIF names alert, unless `detection.unmapped`.
 *
 * Direct Connect's API reports each BGP peer's `bgpStatus` too: a watched
 * VIF whose peer AWS reports down raises `session-down` with the router
 * `aws-api` (AWS's view, distinct from the router's own), cleared when AWS
 * reports it up or the VIF is deleted.
 */
import type { Condition, ConditionSink } from '../alerts/alert.js';
import type { DiscoveredVif } from '../aws/direct-connect-types.js';
import type { BmpEvent } from '../bmp/events.js';
import { AWS_API_FEED } from '../vif/feed-tables.js';
import { UNMAPPED, type VifMap } from '../vif/vif-map.js';
import { condition } from './condition.js';
import type { DetectionSettings } from './settings.js';

export class SessionDetector {
  private readonly routersWithVifs: ReadonlySet<string>;

  constructor(
    private readonly settings: DetectionSettings,
    private readonly sink: ConditionSink,
    private readonly vifs: VifMap,
  ) {
    this.routersWithVifs = new Set(vifs.vifs.flatMap((v) => (v.router === undefined ? [] : [v.router])));
  }

  onBmp(event: BmpEvent, atMs: number): void {
    switch (event.type) {
      case 'peer-down':
      case 'peer-up': {
        const vif = this.vifs.lookup(event.router.address, event.peer.address);
        if (vif === undefined && !this.settings.unmapped) return;
        const c = this.peerDown(event.router.address, event.peer.address, event.peer.asn, vif?.id ?? UNMAPPED, vif?.type, vif?.region, event.type === 'peer-down' ? event.peerDown.reasonName : '');
        if (event.type === 'peer-up') return this.sink.clear(c.fingerprint, atMs);
        if (this.settings.sessionDown.enabled) this.sink.raise(c, atMs);
        return;
      }
      case 'router-up':
        return this.sink.clear(this.routerDown(event.router.address, '').fingerprint, atMs);
      case 'router-down': {
        if (event.reason.kind === 'stopped' || !this.settings.bmpSessionDown.enabled) return;
        if (!this.routersWithVifs.has(event.router.address) && !this.settings.unmapped) return;
        const why = event.reason.kind === 'terminated' ? 'the router sent Termination' : event.reason.kind === 'error' ? `the stream broke: ${event.reason.message}` : `the connection closed${event.reason.message ? `: ${event.reason.message}` : ''}`;
        return this.sink.raise(this.routerDown(event.router.address, why), atMs);
      }
      default:
        return;
    }
  }

  /** A VIF as Direct Connect's API last described it. */
  onAwsVif(d: DiscoveredVif, atMs: number): void {
    const vif = this.vifs.get(d.id);
    if (vif === undefined) return;
    const gone = d.state === 'deleted' || d.state === 'deleting' || d.state === 'rejected';
    for (const p of d.peers) {
      const ended = gone || p.state === 'deleted' || p.state === 'deleting';
      const peer = p.amazonAddress ?? p.addressFamily;
      const labels: Record<string, string> = { vif: vif.id, router: AWS_API_FEED, peer, vif_type: vif.type };
      if (vif.region !== undefined) labels.region = vif.region;
      const c = condition('session-down', this.settings.sessionDown.severity, labels, undefined, {
        summary: `BGP session down on ${vif.id}: ${p.addressFamily} peer ${peer} (AWS reports bgpStatus down)`,
        description: `Direct Connect reports the ${p.addressFamily} BGP session of ${vif.id} with the customer router ${p.customerAddress ?? '(address unknown)'} (AS${p.asn}) down; the VIF is ${d.state}. The VIF carries no ${p.addressFamily} routes until it is back.`,
        evidence: { details: { bgpStatus: p.status, bgpPeerState: p.state, vifState: d.state, awsDevice: p.awsDeviceId ?? null } },
        context: { vif: vif.id, vifType: vif.type, region: vif.region, router: AWS_API_FEED, peer, peerAsn: p.asn },
      });
      if (p.status === 'down' && !ended && this.settings.sessionDown.enabled) this.sink.raise(c, atMs);
      else if (p.status === 'up' || ended) this.sink.clear(c.fingerprint, atMs);
    }
  }

  private peerDown(router: string, peer: string, peerAsn: number, vif: string, vifType: string | undefined, region: string | undefined, reason: string): Condition {
    const labels: Record<string, string> = { vif, router, peer };
    if (vifType !== undefined) labels.vif_type = vifType;
    if (region !== undefined) labels.region = region;
    return condition('session-down', this.settings.sessionDown.severity, labels, undefined, {
      summary: `BGP session down on ${vif}: peer ${peer} (AS${peerAsn}) on router ${router}`,
      description: `Router ${router} reports its BGP session with ${peer} (AS${peerAsn}) down${reason ? ` (${reason})` : ''}. The VIF carries no routes for that family until it is back.`,
      evidence: { details: { reason: reason || null, peerAsn } },
      context: { vif, vifType, region, router, peer, peerAsn },
    });
  }

  private routerDown(router: string, why: string): Condition {
    return condition('bmp-session-down', this.settings.bmpSessionDown.severity, { router }, undefined, {
      summary: `BMP session with router ${router} lost`,
      description: `rovd no longer receives BMP from router ${router}${why ? ` (${why})` : ''}. Its routes are kept as stale for the grace period; changes on its VIFs are not seen until it reconnects.`,
      evidence: {},
      context: { router },
    });
  }
}
