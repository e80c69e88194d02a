import { AuthConfigError } from '../errors.js';

/**
 * Every time span an option takes: seconds as a number, or a string such as `'500ms'`, `'90s'`,
 * `'15m'`, `'12h'`, `'14d'`, `'2w'`. Token lifetimes are whole seconds (a JWT's times are); spans
 * below a second (timeouts, intervals) also take fractions (`0.5`) or milliseconds (`'500ms'`).
 */
export type Duration = number | string;

const unitSeconds: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const durationPattern = /^(\d+)\s*([smhdw]?)$/;
const millisecondsPattern = /^(\d+)\s*ms$/;

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

/**
 * Parses a duration option that may be shorter than a second (a timeout, an interval) into whole
 * milliseconds, once, at construction: seconds as a number (fractions allowed), `'250ms'`, or any
 * form {@link parseDuration} reads. Bounds are in milliseconds; messages name the option.
 */
export function parseDurationMs(
  option: string,
  value: Duration,
  bounds: { min: number; max: number },
): number {
  let milliseconds: number;
  const millisecondsMatch = typeof value === 'string' ? millisecondsPattern.exec(value.trim()) : null;
  if (millisecondsMatch !== null) milliseconds = Number(millisecondsMatch[1]);
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AuthConfigError(option, 'must be a finite number of seconds');
    milliseconds = Math.round(value * 1000);
  } else milliseconds = parseDuration(option, value, { min: 0 }) * 1000;
  if (!Number.isSafeInteger(milliseconds) || milliseconds < bounds.min || milliseconds > bounds.max) {
    throw new AuthConfigError(option, `must be from ${spoken(bounds.min)} to ${spoken(bounds.max)}`);
  }
  return milliseconds;
}

/** A bound in a message: `'500ms'`, `'60s'`. */
function spoken(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000}s` : `${milliseconds}ms`;
}
