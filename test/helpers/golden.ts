import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/**
 * Compares `actual` (as pretty JSON) with a golden file; with UPDATE_GOLDEN=1 it rewrites the file.
 * `name` is "<area>/<name>" under test/fixtures/<area>/golden/<name>.json, or an absolute path.
 */
export function expectGolden(name: string, actual: unknown): void {
  let file: string;
  if (isAbsolute(name)) file = name;
  else {
    const slash = name.indexOf('/');
    const area = slash < 0 ? 'misc' : name.slice(0, slash);
    const rest = slash < 0 ? name : name.slice(slash + 1);
    file = join(fixturesDir, area, 'golden', rest.endsWith('.json') ? rest : `${rest}.json`);
  }
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run the test with UPDATE_GOLDEN=1`);
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * Text variant: compares `text` byte for byte with test/fixtures/<area>/golden/<name>
 * (".txt" added when the name has no extension); UPDATE_GOLDEN=1 rewrites it.
 */
export function expectGoldenText(name: string, text: string): void {
  let file: string;
  if (isAbsolute(name)) file = name;
  else {
    const slash = name.indexOf('/');
    const area = slash < 0 ? 'misc' : name.slice(0, slash);
    const rest = slash < 0 ? name : name.slice(slash + 1);
    file = join(fixturesDir, area, 'golden', /\.[a-z0-9]+$/i.test(rest) ? rest : `${rest}.txt`);
  }
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run the test with UPDATE_GOLDEN=1`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}
