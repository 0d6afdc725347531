/**
 * The policy when the config gives none: reads for everyone and writes for
 * every configured key, both from loopback only. A fresh install then
 * answers `curl localhost` and nothing off the host, which is the safe
 * side of "works out of the box".
 */
import { Prefix } from '../../net/prefix.js';
import { READ_ACTIONS, WRITE_ACTIONS } from './actions.js';
import type { AccessPolicy, PolicyStatement } from './policy.js';

export const LOOPBACK_RANGES: readonly Prefix[] = Object.freeze([Prefix.parse('127.0.0.0/8'), Prefix.parse('::1/128')]);

export function defaultPolicy(keyIds: readonly string[]): AccessPolicy {
  const loopback = Object.freeze([Object.freeze({ operator: 'IpAddress' as const, ranges: LOOPBACK_RANGES })]);
  const statements: PolicyStatement[] = [
    Object.freeze({ label: '"default-read-loopback"', effect: 'Allow', principal: Object.freeze({ kind: 'everyone' }), actions: new Set(READ_ACTIONS), conditions: loopback }),
  ];
  if (keyIds.length > 0) {
    statements.push(
      Object.freeze({ label: '"default-write-loopback"', effect: 'Allow', principal: Object.freeze({ kind: 'keys', ids: new Set(keyIds) }), actions: new Set(WRITE_ACTIONS), conditions: loopback }),
    );
  }
  return Object.freeze({ statements: Object.freeze(statements) });
}
