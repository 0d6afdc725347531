/**
 * The actions of rovd's HTTP API, named the way AWS names API actions
 * (`service:Operation`, IAM User Guide, "Actions, resources, and condition
 * keys"): the access policy grants them, and each route declares the one
 * it performs (`config: { action: 'rovd:ListAlerts' }`).
 *
 * One table: the server, the policy parser and the default policy all read
 * it, so an action cannot be granted that no route performs, or performed
 * without the policy knowing whether it writes.
 */

/** Every action, and whether it changes rovd's state. */
export const ROVD_ACTIONS = Object.freeze({
  'rovd:GetValidity': { write: false },
  'rovd:ListVifs': { write: false },
  'rovd:GetVif': { write: false },
  'rovd:ListRoutes': { write: false },
  'rovd:ListAlerts': { write: false },
  'rovd:GetAlert': { write: false },
  'rovd:AckAlert': { write: true },
  'rovd:ListSilences': { write: false },
  'rovd:CreateSilence': { write: true },
  'rovd:DeleteSilence': { write: true },
  // A POST (it takes a body), but it only computes: a read that may be signed.
  'rovd:WhatIf': { write: false },
  'rovd:PostAnnouncements': { write: true },
  'rovd:GetStatus': { write: false },
  'rovd:GetVrps': { write: false },
  'rovd:GetMetrics': { write: false },
} as const);

export type RovdAction = keyof typeof ROVD_ACTIONS;

export const ACTION_NAMES: readonly RovdAction[] = Object.freeze(Object.keys(ROVD_ACTIONS) as RovdAction[]);
export const READ_ACTIONS: readonly RovdAction[] = Object.freeze(ACTION_NAMES.filter((a) => !ROVD_ACTIONS[a].write));
export const WRITE_ACTIONS: readonly RovdAction[] = Object.freeze(ACTION_NAMES.filter((a) => ROVD_ACTIONS[a].write));

export function isRovdAction(name: unknown): name is RovdAction {
  return typeof name === 'string' && Object.hasOwn(ROVD_ACTIONS, name);
}

export function isWriteAction(action: RovdAction): boolean {
  return ROVD_ACTIONS[action].write;
}

/** Paths that carry no action and are open to every source (probes, the API docs). */
export function isExemptPath(path: string): boolean {
  return path === '/healthz' || path === '/readyz' || path === '/docs' || path.startsWith('/docs/');
}
