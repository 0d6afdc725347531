/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks): a
 * message with Block Kit blocks and a plain `text` fallback (what
 * notifications and screen readers show).
 *
 * Block Kit limits this respects (https://api.slack.com/reference/block-kit/blocks):
 * at most 50 blocks in a message; a header's plain_text at most 150
 * characters; a section's text at most 3000; a context block at most 10
 * elements. Text is cut with an ellipsis rather than refused by Slack
 * (which answers 400 invalid_blocks, a permanent failure: no page at all).
 *
 * Layout: header (FIRING/RESOLVED and the summary), a section with type,
 * severity and counts, one section per listed alert (the first maxAlerts,
 * default 10), a context line "and K more" when there are more members
 * than listed, and a context line with the group and notification ids.
 *
 * mrkdwn needs &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping);
 * labels come from BGP data, so an AS path or a community could otherwise
 * inject a link or a mention.
 *
 * The webhook URL is the credential: it is never logged (http-post.ts
 * names only the origin).
 */
import type { Alert } from '../alert.js';
import type { DeliveryResult, Notification, Sink } from '../notification.js';
import { alertLine, truncate } from './alert-line.js';
import { postJson } from './http-post.js';
import { checkHttpUrl, checkIntOption, SinkConfigError } from './sink-config-error.js';
import { rovdUserAgent } from './user-agent.js';
import { SINK_TIMEOUT_MS } from './webhook.js';

export const SLACK_LIMITS = Object.freeze({
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  contextElements: 10,
  /** Slack truncates `text` beyond 40,000; we keep the fallback much shorter. */
  fallbackText: 3000,
});

/** Listed alerts at most: 50 blocks less header, facts and two context lines. */
export const SLACK_MAX_ALERTS = SLACK_LIMITS.blocks - 4;

export interface SlackSinkOptions {
  readonly name: string;
  /** The incoming webhook URL (https://hooks.slack.com/services/…): a secret. */
  readonly url: string;
  /** Alerts listed one per block; default 10, at most 46. */
  readonly maxAlerts?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text: SlackText }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

export class SlackSink implements Sink {
  readonly kind = 'slack';
  readonly name: string;
  readonly timeoutMs: number;
  readonly maxAlerts: number;
  readonly #url: URL;
  readonly #now: () => number;

  constructor(options: SlackSinkOptions) {
    this.name = options.name;
    this.#url = checkHttpUrl(options.name, 'url', options.url);
    this.timeoutMs = checkIntOption(options.name, 'timeoutMs', options.timeoutMs, SINK_TIMEOUT_MS, 1);
    this.maxAlerts = checkIntOption(options.name, 'maxAlerts', options.maxAlerts, 10, 0);
    if (this.maxAlerts > SLACK_MAX_ALERTS) throw new SinkConfigError(options.name, 'maxAlerts', `must be at most ${SLACK_MAX_ALERTS} (Slack allows ${SLACK_LIMITS.blocks} blocks)`);
    this.#now = options.now ?? Date.now;
  }

  deliver(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(slackMessage(notification, this.maxAlerts));
    return postJson({ url: this.#url, body, headers: { 'user-agent': rovdUserAgent() }, timeoutMs: this.timeoutMs, signal, now: this.#now });
  }
}

/** Slack mrkdwn control characters escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const mrkdwn = (text: string): SlackText => ({ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) });

export function slackMessage(n: Notification, maxAlerts = 10): SlackMessage {
  const firing = n.status === 'firing';
  const title = `${firing ? `[${n.severity.toUpperCase()}] FIRING` : 'RESOLVED'}: ${n.summary}`;
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.headerText), emoji: false } }];

  const facts = [`*Type:* ${escapeMrkdwn(n.type)}`, `*Severity:* ${n.severity}`, `*Firing:* ${n.counts.firing}`, `*Resolved:* ${n.counts.resolved}`];
  const labels = Object.entries(n.groupLabels)
    .filter(([name]) => name !== 'type' && name !== 'severity')
    .map(([name, value]) => `*${escapeMrkdwn(name)}:* ${escapeMrkdwn(value)}`);
  const lead = firing ? '' : n.counts.firing === 0 ? 'All alerts of this group have resolved.\n' : '';
  blocks.push({ type: 'section', text: mrkdwn(`${lead}${[...facts, ...labels].join('   ')}`) });

  const listed = n.alerts.slice(0, Math.min(maxAlerts, SLACK_MAX_ALERTS));
  for (const alert of listed) blocks.push({ type: 'section', text: mrkdwn(alertMrkdwn(alert)) });
  const total = n.counts.firing + n.counts.resolved;
  const more = Math.max(0, total - listed.length, n.alerts.length - listed.length);
  if (more > 0) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${more} more`)] });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`rovd · group \`${escapeMrkdwn(n.groupKey)}\` · notification \`${escapeMrkdwn(n.id)}\` · ${new Date(n.createdAt).toISOString()}`)],
  });

  const fallback = [title, ...listed.map(alertLine), ...(more > 0 ? [`…and ${more} more`] : [])].join('\n');
  return { text: truncate(fallback, SLACK_LIMITS.fallbackText), blocks };
}

function alertMrkdwn(alert: Alert): string {
  const mark = alert.status === 'resolved' ? ':white_check_mark:' : alert.severity === 'critical' ? ':red_circle:' : ':large_orange_circle:';
  return `${mark} ${escapeMrkdwn(alertLine(alert))}`;
}
