const MAX_SHOWN = 60;

/**
 * Renders a value for an error message: strings quoted, long values cut, types that JSON
 * cannot show (BigInt, functions, symbols) named. Never throws.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n (a BigInt)`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return `a function${value.name ? ` (${value.name})` : ''}`;
    case 'symbol':
      return `a symbol (${value.description ?? ''})`;
    default:
      break;
  }
  if (value === null) return 'null';
  try {
    // Inside the try: Array.isArray throws on a revoked Proxy.
    if (Array.isArray(value)) return `an array of ${value.length}`;
    const text = JSON.stringify(value);
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
  } catch {
    return 'an object';
  }
}
