/*
 * User agents are most of a session's bytes in Redis (the budget is 300 bytes per session), and they
 * are built from a few dozen stock phrases. Each phrase below is stored as one control character;
 * decoding puts it back, so the sessions page shows the exact string. A user agent that already
 * contains control characters (never a real browser's) is stored raw behind a marker.
 */

// Longest first where one phrase contains another, so the longer one wins.
const phrases = [
  ') AppleWebKit/537.36 (KHTML, like Gecko) Chrome/',
  ') AppleWebKit/605.1.15 (KHTML, like Gecko) Version/',
  ') AppleWebKit/605.1.15 (KHTML, like Gecko) ',
  'Macintosh; Intel Mac OS X 10_15_7',
  ') Gecko/20100101 Firefox/',
  ' Mobile Safari/537.36',
  'Windows NT 10.0; Win64; x64',
  'iPhone; CPU iPhone OS ',
  ' Safari/605.1.15',
  'Linux; Android ',
  ' Safari/537.36',
  'Mozilla/5.0 (',
  ' like Mac OS X',
  ' Mobile/15E148',
  'X11; Linux x86_64',
  'iPad; CPU OS ',
  '.0.0.0',
  ' Edg/',
  '; rv:',
] as const;

const raw = '\u0000';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the code points this codec uses.
const controlCharacter = /[\u0000-\u001f]/;

export function encodeUserAgent(userAgent: string): string {
  if (controlCharacter.test(userAgent)) return raw + userAgent;
  let encoded = userAgent;
  phrases.forEach((phrase, index) => {
    encoded = encoded.split(phrase).join(String.fromCharCode(index + 1));
  });
  return encoded;
}

export function decodeUserAgent(encoded: string): string {
  if (encoded.startsWith(raw)) return encoded.slice(1);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the code points this codec uses.
  return encoded.replace(/[\u0001-\u001f]/g, (code) => phrases[code.charCodeAt(0) - 1] ?? code);
}
