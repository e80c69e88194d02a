import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in a results file (markers
 * included in `section`), keeping every other section as it is; appends the section when the file has
 * no such markers yet.
 */
export function writeMarkedSection(path: string, name: string, section: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!section.startsWith(start) || !section.endsWith(end)) {
    throw new Error(`the ${name} section must begin with ${start} and end with ${end}`);
  }
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  let next: string;
  if (from !== -1 && to > from) {
    next = current.slice(0, from) + section + current.slice(to + end.length);
  } else if (current.length > 0) {
    next = `${current.trimEnd()}\n\n${section}\n`;
  } else {
    next = `# Benchmarks\n\nEach section is written by its own script under bench/ and rewritten on every full run.\n\n${section}\n`;
  }
  writeFileSync(path, next);
}
