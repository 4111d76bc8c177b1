import { ClustrError } from '@clustr/protocol';
import { isOptionsObject } from '@clustr/protocol/internal';

/** Fewest bytes a secret may have: HMAC-SHA256's own key size, 256 bits. */
export const MIN_SECRET_BYTES = 32;
/** The environment variable read when the `secret` option is absent (never in a restored child). */
export const SECRET_ENV = 'CLUSTR_SECRET';

const ALLOWED = `a string or Buffer of at least ${MIN_SECRET_BYTES} bytes (e.g. crypto.randomBytes(32).toString('base64url'))`;

/**
 * What an error may say of a secret: its type and size, never its bytes — a short secret is still
 * somebody's secret, and error messages end up in logs.
 */
function describeSecret(value: unknown): string {
  if (typeof value === 'string') return `a string of ${Buffer.byteLength(value)} bytes`;
  if (value instanceof Uint8Array) return `a Buffer of ${value.byteLength} bytes`;
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

function invalidSecret(option: string, value: unknown, allowed = ALLOWED): ClustrError {
  const shown = describeSecret(value);
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `${option} (${shown}) is not valid (allowed: ${allowed})`,
    {
      details: { option, value: shown },
    },
  );
}

function toKey(option: string, value: unknown): Buffer {
  // A copy: a caller reusing its Buffer must not change the key under a running transport.
  const key =
    typeof value === 'string'
      ? Buffer.from(value, 'utf8')
      : value instanceof Uint8Array
        ? Buffer.from(value)
        : undefined;
  if (key === undefined || key.byteLength < MIN_SECRET_BYTES) throw invalidSecret(option, value);
  return key;
}

/**
 * The signing key: the `secret` option, or `CLUSTR_SECRET` from `env` when the option is absent,
 * or none. A `CLUSTR_SECRET` that is set but empty or short is refused, not taken as "unsigned":
 * a typo in a deployment must not switch signing off.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`, naming the option or the variable but never the secret
 */
export function resolveSecret(option: string, value: unknown, env: NodeJS.ProcessEnv): Buffer | undefined {
  if (value !== undefined) return toKey(option, value);
  const fromEnv = env[SECRET_ENV];
  return fromEnv === undefined ? undefined : toKey(`environment variable ${SECRET_ENV}`, fromEnv);
}

/** The secret as the descriptor carries it to a child: JSON, whatever form the parent was given. */
export interface DescribedSecret {
  readonly base64: string;
}

/** The descriptor's form of `secret`: its bytes in base64, so a Buffer survives the welcome's JSON. */
export function describeSecretForChild(secret: Buffer): DescribedSecret {
  return { base64: secret.toString('base64') };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Turns the descriptor's `{ base64 }` back into bytes; anything else is left for the option check.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a `{ base64 }` that is not base64
 */
export function secretFromDescriptor(option: string, value: unknown): unknown {
  if (!isOptionsObject(value) || !('base64' in value)) return value;
  const { base64 } = value;
  if (typeof base64 !== 'string' || base64.length % 4 !== 0 || !BASE64.test(base64)) {
    throw invalidSecret(option, base64, `{ base64 } holding base64 text, as describe() writes it`);
  }
  return Buffer.from(base64, 'base64');
}
