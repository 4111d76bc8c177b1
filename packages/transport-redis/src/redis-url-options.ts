import { ClustrError } from '@clustr/protocol';
import {
  checkBoolean,
  checkString,
  invalidOptionError,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';

/** TLS settings for `rediss://` URLs, as JSON so spawned children can rebuild them. */
export interface RedisTlsOptions {
  /** PEM of the CA that signed the server's certificate (a self-signed certificate itself). @default Node's CA store */
  ca?: string;
  /** PEM client certificate, when the server asks for one. @default undefined */
  cert?: string;
  /** PEM private key of {@link RedisTlsOptions.cert}. @default undefined */
  key?: string;
  /** Server name to check the certificate against. @default the URL's host */
  servername?: string;
  /** Refuse servers whose certificate does not verify. Leave on outside tests. @default true */
  rejectUnauthorized?: boolean;
}

const TLS_KEYS: readonly (keyof RedisTlsOptions)[] = [
  'ca',
  'cert',
  'key',
  'servername',
  'rejectUnauthorized',
];

/** The URL without its password, for error messages and logs. */
export function redactUrl(url: unknown): string {
  if (typeof url !== 'string' || !URL.canParse(url))
    return typeof url === 'string' ? '(unparsable URL)' : String(url);
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** A `redis://` or `rediss://` URL, or the default local server. `what` names the option's owner. */
export function checkUrl(what: string, value: unknown): string {
  if (value === undefined) return 'redis://127.0.0.1:6379';
  if (typeof value === 'string') {
    const protocol = URL.canParse(value) ? new URL(value).protocol : '';
    if (protocol === 'redis:' || protocol === 'rediss:') return value;
  }
  throw invalidOptionError(`${what} url`, redactUrl(value), 'a redis:// or rediss:// URL');
}

/**
 * TLS settings of the checked `url`: refused with a `redis://` URL, where the client would ignore
 * them and connect in plaintext — a certificate given must never mean a connection unencrypted.
 */
export function checkTls(what: string, value: unknown, url: string): RedisTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (!isOptionsObject(value)) throw invalidOptionError(`${what} tls`, value, 'an object');
  refuseUnknownKeys(value, TLS_KEYS, `${what} tls`);
  for (const key of ['ca', 'cert', 'key', 'servername'] as const) {
    checkString(
      `${what} tls.${key}`,
      value[key],
      undefined,
      undefined,
      'a string (PEM text for ca, cert, key)',
    );
  }
  checkBoolean(`${what} tls.rejectUnauthorized`, value.rejectUnauthorized, true);
  if (!url.startsWith('rediss:')) {
    // Not invalidOptionError(value): it would print the start of a PEM key into the message.
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `${what} tls is set but url ${JSON.stringify(redactUrl(url))} is not rediss://: the connection would be plaintext (allowed: tls only with a rediss:// URL; use rediss:// or leave tls out)`,
      { details: { option: `${what} tls`, url: redactUrl(url) } },
    );
  }
  return value as RedisTlsOptions;
}
