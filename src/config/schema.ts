/**
 * The one schema of rovd's configuration file (JSON Schema draft 2020-12
 * subset, checked by Ajv). Every object closes with
 * `additionalProperties: false`, so a misspelt key is an error naming it,
 * not a silently ignored setting (fastify's options schema does the same).
 *
 * `expect` is our annotation: how an error message says what was expected
 * for a value whose JSON type alone does not say it ("HOST:PORT", "a
 * prefix such as 192.0.2.0/24"). Semantic checks that a schema cannot
 * express (a prefix with host bits, two VIFs on one BGP peer) are made
 * after it, in config.ts.
 */

const hostPort = { type: 'string', minLength: 1, expect: 'HOST:PORT (IPv6 as [ADDR]:PORT)' } as const;
const prefix = { type: 'string', minLength: 1, expect: 'a prefix such as 192.0.2.0/24 or 2001:db8::/32' } as const;
const address = { type: 'string', minLength: 1, expect: 'an IPv4 or IPv6 address' } as const;
const asn = { type: ['string', 'integer'], expect: 'an AS number (65000, AS65000 or 1.10)' } as const;
const seconds = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max, expect: `whole seconds from ${min} to ${max}` }) as const;
const path = { type: 'string', minLength: 1, expect: 'a file path' } as const;
const envName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', expect: 'the name of an environment variable' } as const;
const vifId = { type: 'string', pattern: '^dxvif-[a-z0-9]+$', expect: 'a Direct Connect VIF id such as dxvif-ffabc123' } as const;
const routeLimit = { type: 'integer', minimum: 1, maximum: 10_000_000, expect: 'an integer from 1 to 10000000' } as const;
const region = { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$', expect: 'an AWS region such as us-east-1' } as const;
const roleArn = { type: 'string', pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$', expect: 'an IAM role ARN such as arn:aws:iam::111122223333:role/rovd-read' } as const;
/** Whose credentials rovd reads Direct Connect with: the default chain, a profile, or a role assumed over either. */
const credentials = {
  regions: { type: 'array', minItems: 1, uniqueItems: true, items: region },
  profile: { type: 'string', minLength: 1 },
  roleArn,
  externalId: { type: 'string', minLength: 2, maxLength: 1224 },
} as const;
const ratio = { type: 'number', exclusiveMinimum: 0, maximum: 1, expect: 'a ratio above 0, at most 1 (0.8 is 80%)' } as const;
/** A detector's settings: on/off, severity, and its own extras. */
const detector = (extra: Record<string, unknown> = {}) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { enabled: { type: 'boolean' }, severity: { enum: ['critical', 'warning', 'info'] }, ...extra },
  }) as const;

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rpki: {
      type: 'object',
      additionalProperties: false,
      properties: {
        files: { type: 'array', items: path },
        urls: {
          type: 'array',
          items: { type: 'string', pattern: '^https?://', expect: 'an http:// or https:// URL' },
        },
        rtr: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['address'],
            properties: {
              name: { type: 'string', minLength: 1 },
              address: hostPort,
              preference: { type: 'integer', minimum: 0, maximum: 255, expect: 'an integer from 0 (most preferred) to 255' },
              tls: { type: 'boolean' },
              caFile: path,
              certFile: path,
              keyFile: path,
              version: { enum: [0, 1, 2] },
              refreshSeconds: seconds(1, 86400),
              retrySeconds: seconds(1, 7200),
              expireSeconds: seconds(600, 172800),
            },
          },
        },
        slurm: { type: 'array', items: path },
        httpIntervalSeconds: seconds(10, 86400),
        maxAgeSeconds: seconds(60, 7 * 86400),
      },
    },
    bmp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: hostPort,
        allow: { type: 'array', items: prefix },
        maxMessageBytes: { type: 'integer', minimum: 4096, maximum: 16 * 1024 * 1024, expect: 'an integer from 4096 to 16777216' },
        staleGraceSeconds: seconds(0, 86400),
        decodeThread: { type: 'boolean' },
      },
    },
    vifs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'peers'],
        properties: {
          id: vifId,
          name: { type: 'string' },
          type: { enum: ['private', 'public', 'transit'] },
          region,
          connection: { type: 'string', pattern: '^(dxcon|dxlag)-[a-z0-9]+$', expect: 'a connection or LAG id such as dxcon-fh6ayh1d' },
          router: address,
          peers: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['address', 'asn'],
              properties: { address, asn },
            },
          },
          addressFamilies: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['ipv4', 'ipv6'] } },
          expected: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['prefix'],
              properties: {
                prefix,
                origin: asn,
                maxLength: { type: 'integer', minimum: 0, maximum: 128, expect: 'a prefix length' },
              },
            },
          },
          prefixLimit: routeLimit,
          receivedLimit: routeLimit,
          awsPrefixes: { type: 'array', items: prefix },
        },
      },
    },
    aws: {
      type: 'object',
      additionalProperties: false,
      properties: {
        asns: { type: 'array', minItems: 1, items: asn },
        prefixLimits: {
          type: 'object',
          additionalProperties: false,
          properties: { private: routeLimit, transit: routeLimit, public: routeLimit, transitReceived: routeLimit },
        },
        directConnect: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            ...credentials,
            accounts: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'regions'],
                properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', expect: 'a short name (letters, digits, _ . -)' }, ...credentials },
              },
            },
            endpoint: { type: 'string', pattern: '^https?://[^/]+/?$', expect: 'an http:// or https:// endpoint URL without a path (a VPC endpoint, or a test server)' },
            discoverySeconds: seconds(30, 86400),
            routesSeconds: seconds(10, 86400),
            pollRoutes: { type: 'boolean' },
            requestsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 100, expect: 'requests per second above 0, at most 100' },
            timeoutSeconds: seconds(1, 300),
            maxAttempts: { type: 'integer', minimum: 1, maximum: 10, expect: 'an integer from 1 to 10' },
            watch: { type: 'array', uniqueItems: true, items: vifId },
            ignore: { type: 'array', uniqueItems: true, items: vifId },
          },
        },
      },
    },
    detection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rpkiInvalid: detector(),
        vrpRemoved: detector(),
        originHijack: detector(),
        subprefixHijack: detector(),
        ownPrefixMissing: detector({ graceSeconds: seconds(0, 86400) }),
        unexpectedPrefix: detector(),
        prefixLimit: {
          type: 'object',
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' }, warningRatio: ratio, criticalRatio: ratio },
        },
        sessionDown: detector(),
        bmpSessionDown: detector(),
        rpkiStale: detector({ whileStale: { enum: ['hold', 'mark', 'alert'] } }),
        aspaInvalid: detector(),
        divergence: detector({ holdSeconds: seconds(0, 86400) }),
        ribs: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['adj-rib-in-pre', 'adj-rib-in-post', 'adj-rib-out-pre', 'adj-rib-out-post', 'loc-rib'] } },
        unmapped: { type: 'boolean' },
      },
    },
    alerts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        holdDown: {
          type: 'object',
          additionalProperties: false,
          properties: {
            fireSeconds: seconds(0, 86400),
            resolveSeconds: seconds(0, 86400),
            byType: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                properties: { fireSeconds: seconds(0, 86400), resolveSeconds: seconds(0, 86400) },
              },
            },
          },
        },
        grouping: {
          type: 'object',
          additionalProperties: false,
          properties: {
            by: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', expect: 'a label name' } },
            waitSeconds: seconds(0, 3600),
            intervalSeconds: seconds(1, 86400),
            repeatSeconds: seconds(0, 7 * 86400),
            maxAlerts: { type: 'integer', minimum: 1, maximum: 1000, expect: 'an integer from 1 to 1000' },
          },
        },
        retention: {
          type: 'object',
          additionalProperties: false,
          properties: {
            resolvedHours: { type: 'integer', minimum: 0, maximum: 24 * 365, expect: 'whole hours' },
            maxResolved: { type: 'integer', minimum: 0, maximum: 10_000_000 },
          },
        },
        routes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['sinks'],
            properties: {
              name: { type: 'string' },
              match: { type: 'string', expect: 'label matchers such as {severity="critical", vif=~"dxvif-.*"}' },
              sinks: { type: 'array', items: { type: 'string' } },
              continue: { type: 'boolean' },
            },
          },
        },
        defaultSinks: { type: 'array', items: { type: 'string' } },
        sinks: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'type'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', expect: 'a name of letters, digits, _ . -' },
              type: { enum: ['webhook', 'slack', 'pagerduty', 'alertmanager'] },
              timeoutSeconds: seconds(1, 300),
              concurrency: { type: 'integer', minimum: 1, maximum: 64, expect: 'an integer from 1 to 64' },
              url: { type: 'string' },
              urlFile: path,
              urlEnv: envName,
              secret: { type: 'string', minLength: 16, expect: 'a secret of at least 16 characters' },
              secretFile: path,
              secretEnv: envName,
              routingKey: { type: 'string', minLength: 1 },
              routingKeyFile: path,
              routingKeyEnv: envName,
              headers: { type: 'object', additionalProperties: { type: 'string' } },
              maxAlerts: { type: 'integer', minimum: 1, maximum: 1000, expect: 'an integer from 1 to 1000' },
              source: { type: 'string' },
              clientUrl: { type: 'string' },
              externalUrl: { type: 'string' },
              resendValiditySeconds: seconds(60, 7 * 86400),
            },
          },
        },
        delivery: {
          type: 'object',
          additionalProperties: false,
          properties: {
            maxAttempts: { type: 'integer', minimum: 1, maximum: 1000, expect: 'an integer from 1 to 1000' },
            maxAgeHours: { type: 'integer', minimum: 1, maximum: 24 * 30, expect: 'whole hours from 1 to 720' },
            backoffBaseSeconds: seconds(1, 3600),
            backoffCapSeconds: seconds(1, 86400),
          },
        },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dir: path,
        keepVrpSets: { type: 'integer', minimum: 1, maximum: 100_000, expect: 'an integer from 1 to 100000 (VRP sets kept besides those alerts name)' },
        maxJournalBytes: { type: 'integer', minimum: 65_536, maximum: 2 ** 40, expect: 'a size in bytes from 65536 (64 KiB) to 2^40' },
      },
    },
    ownPrefixes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['prefix', 'origins'],
        properties: {
          prefix,
          origins: { type: 'array', minItems: 1, items: asn },
          maxLength: { type: 'integer', minimum: 0, maximum: 128, expect: 'a prefix length' },
          group: { type: 'string', minLength: 1 },
          visibleOn: { type: 'array', uniqueItems: true, items: vifId },
        },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: hostPort,
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['certFile', 'keyFile'],
          properties: { certFile: path, keyFile: path, caFile: path, requireClientCert: { type: 'boolean' } },
        },
        auth: {
          type: 'object',
          additionalProperties: false,
          properties: {
            region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$', expect: 'an AWS region such as us-east-1' },
            clockSkewSeconds: seconds(1, 3600),
            keys: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['id'],
                properties: {
                  id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,128}$', expect: 'an access key id of 1 to 128 letters, digits, _ . -' },
                  secret: { type: 'string', minLength: 16, expect: 'a secret of at least 16 characters' },
                  secretFile: path,
                  secretEnv: envName,
                },
              },
            },
          },
        },
        // An AWS-shaped policy document, checked by its own parser (src/http/security/policy.ts) with key paths.
        policy: { type: 'object', expect: 'a policy document {Version: "2012-10-17", Statement: [...]}' },
        policyFile: path,
        metrics: {
          type: 'object',
          additionalProperties: false,
          properties: { bearerTokenFile: path, bearerTokenEnv: envName, allow: { type: 'array', items: prefix } },
        },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          properties: {
            perSecond: { type: 'number', exclusiveMinimum: 0, maximum: 100_000, expect: 'requests per second, above 0, at most 100000' },
            burst: { type: 'integer', minimum: 1, maximum: 100_000, expect: 'an integer from 1 to 100000' },
          },
        },
        maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024, expect: 'an integer from 1024 to 67108864' },
        announcementsMaxBodyBytes: { type: 'integer', minimum: 1024, maximum: 1024 * 1024 * 1024, expect: 'an integer from 1024 to 1073741824' },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
      },
    },
  },
} as const;
