/**
 * `rovd vifs discover`: asks Direct Connect which virtual interfaces the
 * account has, in each region, and prints them as a `vifs:` fragment of
 * rovd's config, to paste and complete (the router's BMP address, expected
 * prefixes) — the same VIFs `aws.directConnect` would discover at run
 * time, with what AWS knows filled in.
 *
 *   rovd vifs discover --region us-east-1 --region eu-west-1
 *   rovd vifs discover --config /etc/rovd/rovd.yaml     (its aws.directConnect accounts)
 *   rovd vifs discover --region us-east-1 --role-arn arn:aws:iam::111122223333:role/rovd-read
 */
import { Document, YAMLSeq, isMap } from 'yaml';
import type { DiscoveredGateway, DiscoveredVif } from '../aws/direct-connect-types.js';
import { type ClientSettings, directConnectClientFor } from '../aws/make-api.js';
import { isLiveVif, vifFromDiscovered } from '../aws/vif-merge.js';
import { type DirectConnectAccount, DIRECT_CONNECT_DEFAULTS } from '../config/aws-config.js';
import { loadConfig } from '../config/config.js';
import { DEFAULT_DETECTION } from '../detect/settings.js';
import { NOOP_LOGGER } from '../log/logger.js';
import { formatAsn } from '../net/asn.js';
import type { Vif } from '../vif/vif.js';
import { parseCommandArgs } from './options.js';
import { UsageError } from './usage-error.js';
import type { CommandIo } from './validate-command.js';

export const VIFS_HELP = `Usage: rovd vifs discover [--config FILE] [--region REGION…] [--profile NAME]
                          [--role-arn ARN [--external-id ID]] [--endpoint URL] [--format yaml|json]

Lists the Direct Connect virtual interfaces of an account (DescribeVirtualInterfaces,
and DescribeDirectConnectGateways for the Amazon ASN and the prefixes AWS may
announce) and prints them as a vifs: fragment of rovd's config. Deleted VIFs
are left out. Credentials come from the standard chain (environment, shared
config and profiles, container or instance role, web identity), or a profile,
or a role assumed over them.

Options:
  --config FILE      read accounts, regions and endpoint from aws.directConnect
  --region REGION    a region to list (repeatable; replaces the config's)
  --profile NAME     a profile of the shared config/credentials files
  --role-arn ARN     a role to assume (another account's)
  --external-id ID   the role's external id
  --endpoint URL     another endpoint (a VPC interface endpoint)
  --format F         yaml (default): the fragment, with comments; json: {"vifs": […]}
  -h, --help         this text

Exit status: 0 on success, 1 if an API call fails (the error names the region
and AWS's request id), 2 on usage errors.`;

export async function vifsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(`${VIFS_HELP}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'discover') throw new UsageError(`vifs: unknown subcommand ${JSON.stringify(sub)} (expected discover)`);
  const { values, positionals } = parseCommandArgs('vifs discover', rest, {
    config: { type: 'string' },
    region: { type: 'string', multiple: true },
    profile: { type: 'string' },
    'role-arn': { type: 'string' },
    'external-id': { type: 'string' },
    endpoint: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
  if (values.help) {
    io.stdout.write(`${VIFS_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`vifs discover: unexpected argument ${JSON.stringify(positionals[0])}`);
  const format = values.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') throw new UsageError(`vifs discover: --format must be yaml or json, not ${JSON.stringify(format)}`);
  if (values['external-id'] !== undefined && values['role-arn'] === undefined) throw new UsageError('vifs discover: --external-id goes with --role-arn');

  const fromConfig = values.config === undefined ? undefined : (await loadConfig(values.config, { env: io.env ?? process.env })).directConnect;
  const flagsAccount = values.profile !== undefined || values['role-arn'] !== undefined;
  const accounts: DirectConnectAccount[] =
    fromConfig !== undefined && !flagsAccount
      ? fromConfig.accounts.map((a) => ({ ...a, regions: values.region ?? a.regions }))
      : [{ name: 'default', regions: values.region ?? [], profile: values.profile, roleArn: values['role-arn'], externalId: values['external-id'] }];
  if (accounts.every((a) => a.regions.length === 0)) throw new UsageError('vifs discover: name a --region (or a --config with aws.directConnect)');
  const d = DIRECT_CONNECT_DEFAULTS;
  const settings: ClientSettings = {
    endpoint: values.endpoint ?? fromConfig?.endpoint,
    requestsPerSecond: fromConfig?.requestsPerSecond ?? d.requestsPerSecond,
    timeoutMs: fromConfig?.timeoutMs ?? d.timeoutSeconds * 1000,
    maxAttempts: fromConfig?.maxAttempts ?? d.maxAttempts,
  };

  const found: { account: string; region: string; vif: DiscoveredVif; watched: Vif }[] = [];
  for (const account of accounts) {
    for (const region of account.regions) {
      const api = directConnectClientFor(settings, account, region, NOOP_LOGGER);
      try {
        const vifs = await api.describeVirtualInterfaces();
        const gateways: readonly DiscoveredGateway[] = vifs.some((v) => v.directConnectGatewayId !== undefined) ? await api.describeDirectConnectGateways() : [];
        const byId = new Map(gateways.map((g) => [g.id, g]));
        for (const vif of vifs.filter(isLiveVif)) found.push({ account: account.name, region, vif, watched: vifFromDiscovered(vif, byId, DEFAULT_DETECTION.prefixLimit.limits) });
      } catch (err) {
        throw new Error(`account ${account.name}, ${region}: ${(err as Error).message}`);
      } finally {
        api.close();
      }
    }
  }
  io.stdout.write(format === 'json' ? `${JSON.stringify({ vifs: found.map((f) => vifEntry(f.watched)) }, null, 2)}\n` : yamlFragment(found));
  io.stderr.write(`rovd vifs discover: ${found.length} VIF(s) in ${accounts.reduce((n, a) => n + a.regions.length, 0)} region(s)\n`);
  return 0;
}

/** A VIF as a config entry: the keys rovd.yaml takes, only those AWS gave. */
function vifEntry(v: Vif): Record<string, unknown> {
  const e: Record<string, unknown> = { id: v.id };
  if (v.name !== undefined) e.name = v.name;
  e.type = v.type;
  if (v.region !== undefined) e.region = v.region;
  if (v.connection !== undefined && /^(dxcon|dxlag)-[a-z0-9]+$/.test(v.connection)) e.connection = v.connection;
  e.peers = v.peers.map((p) => ({ address: p.address, asn: p.asn }));
  e.addressFamilies = [...v.addressFamilies];
  if (v.expected.length > 0) e.expected = v.expected.map((x) => ({ prefix: x.prefix.toString(), origin: x.origin }));
  if (v.awsPrefixes.length > 0) e.awsPrefixes = v.awsPrefixes.map(String);
  return e;
}

function yamlFragment(found: readonly { account: string; region: string; vif: DiscoveredVif; watched: Vif }[]): string {
  const doc = new Document({ vifs: found.map((f) => vifEntry(f.watched)) });
  doc.commentBefore = [
    ` ${found.length} VIF(s) discovered through Direct Connect by rovd vifs discover, ${new Date().toISOString()}.`,
    ' Add `router:` (the address your router\'s BMP session comes from) to compare the router\'s view with AWS\'s;',
    ' without it rovd watches the VIF through the API alone. Keys you write win over what AWS says.',
  ].join('\n');
  const seq = doc.get('vifs', true);
  if (seq instanceof YAMLSeq) {
    seq.items.forEach((item, i) => {
      const f = found[i]!;
      if (!isMap(item)) return;
      const peers = f.vif.peers.map((p) => `${p.addressFamily} ${p.status}`).join(', ');
      item.commentBefore = ` account ${f.account}, ${f.region}: ${f.vif.state}${f.vif.vlan === undefined ? '' : `, VLAN ${f.vif.vlan}`}, customer ${formatAsn(f.vif.customerAsn)}${peers === '' ? '' : `, BGP ${peers}`}${f.vif.location === undefined ? '' : `, at ${f.vif.location}`}`;
    });
  }
  return doc.toString({ lineWidth: 0 });
}
