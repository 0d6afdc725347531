/**
 * Deciding a request the way IAM evaluates a policy (IAM User Guide,
 * "Policy evaluation logic"): an explicit Deny that matches wins; else an
 * Allow that matches grants; else the request is implicitly denied.
 *
 * rovd adds one rule before the policy: a write (actions.ts) must be
 * SigV4-signed, whatever the policy says, so no Principal "*" can open a
 * write to anonymous callers.
 */
import { canonicalAddress } from '../../net/address.js';
import { Prefix } from '../../net/prefix.js';
import { type RovdAction, isWriteAction } from './actions.js';
import type { AccessPolicy, IpCondition, PolicyStatement } from './policy.js';

export const ANONYMOUS = 'anonymous';

export interface AccessRequest {
  readonly action: RovdAction;
  /** The verified access key id, or undefined for an unsigned request. */
  readonly keyId: string | undefined;
  /** The peer's address as the socket reports it (IPv4-mapped IPv6 allowed). */
  readonly sourceIp: string;
}

export type AccessDecision = { readonly allowed: true; readonly statement: string } | { readonly allowed: false; readonly reason: string };

export const UNSIGNED_WRITE_REASON = 'writes must be signed (SigV4)';

export function evaluatePolicy(policy: AccessPolicy, req: AccessRequest): AccessDecision {
  if (req.keyId === undefined && isWriteAction(req.action)) return { allowed: false, reason: UNSIGNED_WRITE_REASON };
  const source = hostPrefix(req.sourceIp);
  // A socket always has an address; without one no condition can be judged, so refuse.
  if (source === undefined) return { allowed: false, reason: `source address ${JSON.stringify(req.sourceIp)} is not an IP address` };
  let allow: PolicyStatement | undefined;
  for (const st of policy.statements) {
    if (!applies(st, req, source)) continue;
    if (st.effect === 'Deny') return { allowed: false, reason: `denied by statement ${st.label}` };
    allow ??= st;
  }
  if (allow !== undefined) return { allowed: true, statement: allow.label };
  return { allowed: false, reason: `no statement allows ${req.action} for ${req.keyId ?? ANONYMOUS} from ${source.addressText()}` };
}

function applies(st: PolicyStatement, req: AccessRequest, source: Prefix): boolean {
  if (!st.actions.has(req.action)) return false;
  if (st.principal.kind === 'keys' && (req.keyId === undefined || !st.principal.ids.has(req.keyId))) return false;
  return st.conditions.every((c) => holds(c, source));
}

function holds(c: IpCondition, source: Prefix): boolean {
  const inside = c.ranges.some((r) => r.covers(source));
  return c.operator === 'IpAddress' ? inside : !inside;
}

/** The source as a host prefix (/32 or /128), IPv4-mapped IPv6 as IPv4. */
function hostPrefix(address: string): Prefix | undefined {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return undefined;
  return Prefix.parse(`${canonical}/${canonical.includes(':') ? 128 : 32}`);
}
