/** BmpTally: ended sessions' counters per router address (bounded), dropped messages by ParseError kind. */
import t from 'tap';
import type { BmpEvent, BmpRouterCounters } from '../../src/bmp/events.js';
import { BmpTally } from '../../src/metrics/bmp-tally.js';
import { ParseError } from '../../src/wire/parse-error.js';

const ZERO: BmpRouterCounters = {
  bytes: 0, messages: 0, initiation: 0, termination: 0, peerUp: 0, peerDown: 0, routeMonitoring: 0, statistics: 0, routeMirroring: 0,
  unknownMessageTypes: 0, unknownTlvs: 0, malformedMessages: 0, droppedUpdates: 0, withoutPeerUp: 0, announced: 0, withdrawn: 0,
  endOfRib: 0, skippedNlri: 0, treatAsWithdraw: 0, attributeDiscard: 0, afterTermination: 0, listenerErrors: 0,
};

const router = (address: string) => ({ id: `${address}:1790`, address, port: 1790, sysName: undefined, sysDescr: undefined });

const down = (address: string, counters: Partial<BmpRouterCounters>): BmpEvent => ({
  type: 'router-down', router: router(address), at: 0, reason: { kind: 'closed', message: undefined }, counters: { ...ZERO, ...counters },
});

const dropped = (error: Error): BmpEvent => ({ type: 'message-dropped', router: router('192.0.2.1'), at: 0, messageType: 'route-monitoring', peer: undefined, offset: 0, error });

t.test('ended sessions add up per address', async (t) => {
  const tally = new BmpTally();
  tally.onEvent(down('192.0.2.1', { routeMonitoring: 5, peerUp: 2, bytes: 100 }));
  tally.onEvent(down('192.0.2.1', { routeMonitoring: 3, unknownMessageTypes: 1, bytes: 50 }));
  const t1 = tally.endedSessions().get('192.0.2.1')!;
  t.equal(t1.route_monitoring, 8);
  t.equal(t1.peer_up, 2);
  t.equal(t1.unknown, 1);
  t.equal(t1.bytes, 150);
});

t.test('at most maxRouters addresses; the longest-ended is forgotten first', async (t) => {
  const tally = new BmpTally(2);
  tally.onEvent(down('192.0.2.1', { routeMonitoring: 1 }));
  tally.onEvent(down('192.0.2.2', { routeMonitoring: 1 }));
  tally.onEvent(down('192.0.2.1', { routeMonitoring: 1 })); // ended again: now the most recent
  tally.onEvent(down('192.0.2.3', { routeMonitoring: 1 }));
  t.same([...tally.endedSessions().keys()], ['192.0.2.1', '192.0.2.3']);
  t.equal(tally.endedSessions().get('192.0.2.1')!.route_monitoring, 2);
});

t.test('dropped messages by ParseError kind, `other` for other errors; other events ignored', async (t) => {
  const tally = new BmpTally();
  tally.onEvent(dropped(new ParseError({ kind: 'truncated', field: 'bgp.update', offset: 3 })));
  tally.onEvent(dropped(new ParseError({ kind: 'truncated', field: 'bgp.update', offset: 9 })));
  tally.onEvent(dropped(new ParseError({ kind: 'unsupported', field: 'bmp.version', offset: 0 })));
  tally.onEvent(dropped(new Error('something else')));
  tally.onEvent({ type: 'router-up', router: router('192.0.2.1'), at: 0 });
  t.same(Object.fromEntries(tally.droppedByKind()), { truncated: 2, unsupported: 1, other: 1 });
  t.equal(tally.endedSessions().size, 0);
});
