import { AuthConfigError } from '../errors.js';

/** Seconds as a number, or a string such as `'90s'`, `'15m'`, `'12h'`, `'14d'`, `'2w'`. */
export type Duration = number | string;

const unitSeconds: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const durationPattern = /^(\d+)\s*([smhdw]?)$/;

/**
 * Parses a duration option into whole seconds once, at construction. Refuses negative, fractional,
 * non-finite and unknown-unit values with a message that names the option.
 */
export function parseDuration(
  option: string,
  value: Duration,
  bounds: { min?: number; max?: number } = {},
): number {
  let seconds: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new AuthConfigError(option, 'must be a whole number of seconds or a string like "15m"');
    }
    seconds = value;
  } else if (typeof value === 'string') {
    const match = durationPattern.exec(value.trim());
    if (match === null) {
      throw new AuthConfigError(option, `cannot read "${value}" as a duration (use seconds or e.g. "15m")`);
    }
    seconds = Number(match[1]) * (unitSeconds[match[2] || 's'] ?? 1);
  } else {
    throw new AuthConfigError(option, 'must be a number of seconds or a string like "15m"');
  }
  // A long digit string parses to Infinity or loses precision; no sane duration is that long.
  if (!Number.isSafeInteger(seconds)) {
    throw new AuthConfigError(
      option,
      bounds.max === undefined ? 'is too large' : `must be at most ${bounds.max} seconds`,
    );
  }
  const min = bounds.min ?? 1;
  if (seconds < min) throw new AuthConfigError(option, `must be at least ${min} seconds`);
  if (bounds.max !== undefined && seconds > bounds.max) {
    throw new AuthConfigError(option, `must be at most ${bounds.max} seconds`);
  }
  return seconds;
}
