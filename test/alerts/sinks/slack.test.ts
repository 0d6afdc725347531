/**
 * The Slack sink: the payload against Block Kit's documented limits and
 * required fields (for small, huge and hostile notifications), firing
 * lists and "and K more", resolved says so, and a real POST.
 */
import t, { type Test } from 'tap';
import type { Alert } from '../../../src/alerts/alert.js';
import type { Notification } from '../../../src/alerts/notification.js';
import { truncate } from '../../../src/alerts/sinks/alert-line.js';
import { escapeMrkdwn, SLACK_LIMITS, SlackSink, slackMessage, type SlackMessage } from '../../../src/alerts/sinks/slack.js';
import { caught } from '../../helpers/errors.js';
import { startReceiver } from '../../helpers/receiver.js';
import { firing, hijackAlert, notificationOf, resolvedOf } from './fixtures.js';

/** Block Kit's rules for the blocks we use (https://api.slack.com/reference/block-kit/blocks). */
function checkBlockKit(t: Test, m: SlackMessage): void {
  t.type(m.text, 'string');
  t.ok(m.text.length > 0 && m.text.length <= 40_000, 'fallback text present');
  t.ok(m.blocks.length >= 1 && m.blocks.length <= 50, `${m.blocks.length} blocks <= 50`);
  for (const b of m.blocks) {
    if (b.type === 'header') {
      t.equal(b.text.type, 'plain_text', 'header text is plain_text');
      t.ok(b.text.text.length >= 1 && b.text.text.length <= 150, `header ${b.text.text.length} <= 150`);
    } else if (b.type === 'section') {
      t.ok(['plain_text', 'mrkdwn'].includes(b.text.type));
      t.ok(b.text.text.length >= 1 && b.text.text.length <= 3000, `section ${b.text.text.length} <= 3000`);
    } else {
      t.ok(b.elements.length >= 1 && b.elements.length <= 10, 'context elements <= 10');
      for (const e of b.elements) t.ok(e.text.length >= 1 && e.text.length <= 3000);
    }
    t.ok(isWellFormed(JSON.stringify(b)), 'no lone surrogates');
  }
}


function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

t.test('firing: header, facts, the first alerts, and K more', async (t) => {
  const n = { ...firing(25), truncated: true, counts: { firing: 40, resolved: 2 } };
  const m = slackMessage(n, 10);
  checkBlockKit(t, m);
  t.match(m.blocks[0], { type: 'header', text: { text: /^\[CRITICAL\] FIRING: 25 prefix/ } });
  t.match(m.blocks[1], { type: 'section', text: { type: 'mrkdwn', text: /\*Type:\* origin-hijack.*\*Firing:\* 40.*\*vif:\* dxvif-ffabc123/ } });
  const sections = m.blocks.filter((b) => b.type === 'section');
  t.equal(sections.length, 11, 'facts + 10 alerts');
  t.match(sections[1], { text: { text: /198\.51\.0\.0\/32 · origin AS64500 · VIF dxvif-ffabc123 · invalid \(as\): / } });
  t.match(m.blocks.at(-2), { type: 'context', elements: [{ text: '…and 32 more' }] });
  t.match(m.blocks.at(-1), { type: 'context', elements: [{ text: /notification `origin-hijack\|dxvif-ffabc123\|64500:1`/ }] });
  t.match(m.text, /FIRING[\s\S]*…and 32 more$/);
});

t.test('resolved says so', async (t) => {
  const m = slackMessage(resolvedOf(firing(2)));
  checkBlockKit(t, m);
  t.match(m.blocks[0], { text: { text: /^RESOLVED: / } });
  t.match(m.blocks[1], { text: { text: /^All alerts of this group have resolved\./ } });
  t.match(m.blocks[2], { text: { text: /^:white_check_mark: .*resolved/ } });
});

t.test('limits hold for huge and hostile input', async (t) => {
  const long = 'x'.repeat(10_000);
  const alert: Alert = hijackAlert({ summary: `<!channel> ${long}`, status: 'firing', severity: 'warning' }, { origin: 'AS<script>' });
  const n: Notification = notificationOf(Array.from({ length: 100 }, () => alert), {
    summary: `🚨${'y'.repeat(148)}🚨 tail`,
    groupLabels: { type: 'origin-hijack', vif: long },
  });
  const m = slackMessage(n, 46);
  checkBlockKit(t, m);
  t.equal(m.blocks.length, 50, 'exactly at the limit with 46 alerts');
  t.notMatch(JSON.stringify(m.blocks), /<!channel>|<script>/, 'mrkdwn escaped');
  t.match(JSON.stringify(m.blocks), /&lt;!channel&gt;/);
  t.equal(escapeMrkdwn('a & <b> c'), 'a &amp; &lt;b&gt; c');
  t.equal(truncate('abc', 3), 'abc');
  t.equal(truncate('abcd', 3), 'ab…');
  t.equal(truncate('a😀b', 3), 'a…', 'a surrogate pair is not split');
  // A non-prefix alert is its summary; a non-numeric origin is as given.
  const session = hijackAlert({ type: 'session-down', summary: 'BGP session to 169.254.0.1 down' });
  const bare: Alert = { ...session, labels: { router: 'edge1' }, context: {}, evidence: {} };
  t.match(slackMessage(notificationOf([bare])).blocks[2], { text: { text: /^:red_circle: BGP session to 169\.254\.0\.1 down$/ } });
});

t.test('delivers to the webhook; config refusals', async (t) => {
  const r = await startReceiver(t, [{ status: 200, body: 'ok' }]);
  const sink = new SlackSink({ name: 'chat', url: `${r.url}/services/T000/B000/XXXX`, maxAlerts: 5 });
  t.equal(sink.kind, 'slack');
  t.same(await sink.deliver(firing(8), new AbortController().signal), { ok: true, status: 200 });
  const sent = JSON.parse(r.requests[0]!.body) as SlackMessage;
  checkBlockKit(t, sent);
  t.equal(sent.blocks.filter((b) => b.type === 'section').length, 6);
  r.replies = [{ status: 400, body: 'invalid_blocks' }];
  const refused = await sink.deliver(firing(1), new AbortController().signal);
  t.match(refused, { ok: false, retryable: false, status: 400, error: /invalid_blocks/ });
  t.notMatch((refused as { error: string }).error, /XXXX/, 'the webhook path (the secret) is not in the error');
  t.match(caught(() => new SlackSink({ name: 'c', url: 'https://hooks.slack.com/x', maxAlerts: 47 })), { key: 'maxAlerts', message: /at most 46/ });
  t.match(caught(() => new SlackSink({ name: 'c', url: 'x' })), { key: 'url' });
  t.equal(SLACK_LIMITS.blocks, 50);
});
