/**
 * The AWS credentials rovd signs Direct Connect calls with, for one
 * account.
 *
 * The base identity is the one every AWS tool finds (AWS SDKs and Tools
 * Reference Guide, "Standardized credential providers"): with a profile
 * named, that profile of the shared config and credentials files
 * (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE); otherwise the default
 * chain: environment variables, the shared files' default profile, IAM
 * Identity Center (SSO), web identity (AWS_WEB_IDENTITY_TOKEN_FILE +
 * AWS_ROLE_ARN, as on EKS), ECS container credentials and EC2 instance
 * metadata.
 *
 * With a role ARN, rovd assumes that role over the base identity (STS API
 * Reference, "AssumeRole"), so one rovd can read the VIFs of several
 * accounts. The external ID is the one the role's trust policy demands
 * (IAM User Guide, "Access to AWS accounts owned by third parties"); the
 * session name `rovd` makes rovd's calls easy to find in CloudTrail.
 *
 * Whatever the source, the result is cached until five minutes before it
 * expires: rovd's own JSON 1.1 requests ask for credentials on every
 * request, and neither fromIni nor fromTemporaryCredentials caches (an
 * AssumeRole per Direct Connect call would be throttled by STS long
 * before Direct Connect).
 */
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface CredentialSettings {
  /** The region of the STS endpoint AssumeRole is sent to (regional STS, not the global one). */
  readonly region: string;
  /** A profile of the shared config/credentials files; without it, the default chain. */
  readonly profile?: string;
  /** A role to assume over the base identity. */
  readonly roleArn?: string;
  readonly externalId?: string;
  /** Default `rovd`. */
  readonly roleSessionName?: string;
  /** Overrides the STS endpoint (a VPC endpoint, or a test's fake). */
  readonly stsEndpoint?: string;
}

export const DEFAULT_ROLE_SESSION_NAME = 'rovd';

/** Credentials that expire sooner than this are refreshed before use (the SDKs refresh at 5 minutes, too). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export function credentialProvider(settings: CredentialSettings, now: () => number = Date.now): AwsCredentialIdentityProvider {
  const base = settings.profile === undefined ? fromNodeProviderChain() : fromIni({ profile: settings.profile });
  if (settings.roleArn === undefined) return cachedUntilExpiry(base, now);
  const assumed = fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: settings.roleArn,
      RoleSessionName: settings.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME,
      ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
    },
    clientConfig: {
      region: settings.region,
      ...(settings.stsEndpoint === undefined ? {} : { endpoint: settings.stsEndpoint }),
    },
  });
  return cachedUntilExpiry(assumed, now);
}

/**
 * `source`, asked again only when its last answer is within
 * REFRESH_BEFORE_EXPIRY_MS of expiring (never, for credentials without an
 * expiry). Concurrent callers share one refresh. A failed refresh is not
 * cached; while the old credentials have not actually expired they are
 * still used, so a brief STS outage does not stop polling.
 */
export function cachedUntilExpiry(source: AwsCredentialIdentityProvider, now: () => number = Date.now): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let refreshing: Promise<AwsCredentialIdentity> | undefined;
  const expiresWithin = (identity: AwsCredentialIdentity, ms: number): boolean => identity.expiration !== undefined && identity.expiration.getTime() - now() <= ms;
  return async () => {
    if (cached !== undefined && !expiresWithin(cached, REFRESH_BEFORE_EXPIRY_MS)) return cached;
    refreshing ??= source()
      .then((identity) => {
        cached = identity;
        return identity;
      })
      .finally(() => {
        refreshing = undefined;
      });
    try {
      return await refreshing;
    } catch (err) {
      if (cached !== undefined && !expiresWithin(cached, 0)) return cached;
      throw err;
    }
  };
}
