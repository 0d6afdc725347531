/**
 * Building a Condition: the labels get `type` and `severity`, the
 * fingerprint is computed from the type's identity labels (alert.ts), and
 * the whole value is frozen, since the engine keeps it as the alert's
 * evidence.
 */
import type { Condition, Severity } from '../alerts/alert.js';
import { fingerprintOf } from '../alerts/alert.js';
import type { PathAttributes } from '../bgp/attributes.js';
import type { Asn } from '../net/asn.js';
import type { RouteContext } from './route-context.js';

export function condition(
  type: Condition['type'],
  severity: Severity,
  labels: Condition['labels'],
  ctx: RouteContext | undefined,
  body: { summary: string; description: string; asPath?: readonly number[]; evidence: Condition['evidence']; context?: Condition['context'] },
): Condition {
  const all = { ...labels, type, severity };
  return Object.freeze({
    fingerprint: fingerprintOf(type, all),
    type,
    severity,
    labels: Object.freeze(all),
    summary: body.summary,
    description: body.description,
    ...(body.asPath === undefined ? {} : { asPath: body.asPath }),
    context: body.context ?? ctx?.context ?? {},
    evidence: body.evidence,
  });
}

export function pathText(attrs: PathAttributes | undefined): string {
  if (attrs === undefined) return '(none)';
  const s = attrs.asPath.toString();
  return s === '' ? '(empty)' : s;
}

/** The AS path flattened to numbers (sets and confederation segments included in order), for alert payloads. */
export function pathNumbers(attrs: PathAttributes | undefined): readonly number[] | undefined {
  if (attrs === undefined) return undefined;
  const out: number[] = [];
  for (const seg of attrs.asPath.segments) for (const a of seg.asns) out.push(a as Asn);
  return out;
}
