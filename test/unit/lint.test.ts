/**
 * The lint rules that keep the shape of the code fire: dependency-cruiser (npm run lint:deps, with
 * the project's .dependency-cruiser.mjs) on small fixture trees with an import cycle and with
 * lower layers importing bot/, and eslint (the project's eslint.config.js) on a function past
 * the length limit. `npm run lint` runs both on the real code.
 */
import path from 'node:path';
import { cruise } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import depConfig from '../../.dependency-cruiser.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'lint');

/** The rule names and edges dependency-cruiser reports for the fixture tree `name`. */
async function violations(name: string, dirs: string[]): Promise<string[]> {
  const result = await cruise(dirs, {
    ...depConfig.options,
    validate: true,
    ruleSet: { forbidden: depConfig.forbidden },
    baseDir: path.join(fixtures, name),
  });
  const out = result.output;
  if (typeof out === 'string') throw new Error('dependency-cruiser returned text, not a result');
  return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

/** A function of `n` statement lines, with blank lines and comments between them. */
function functionOf(n: number): string {
  const body = Array.from({ length: n }, (_, i) => `  total += ${i};\n\n  // step ${i}`).join('\n');
  return `export function long(): number {\n  let total = 0;\n${body}\n  return total;\n}\n`;
}

async function lengthErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'max-lines-per-function').map((m) => m.message);
}

describe('import rules (dependency-cruiser)', () => {
  it('fails on an import cycle, also one closed by a type-only import', async () => {
    expect(await violations('cycle', ['bot'])).toEqual(['no-cycle: bot/a.ts -> bot/b.ts']);
  });

  it('fails when ingest/, runners/ or config/ import bot/ (type-only imports too)', async () => {
    expect(await violations('layers', ['bot', 'ingest', 'runners', 'config'])).toEqual([
      'config-does-not-import-bot: config/schema.ts -> bot/store.ts',
      'ingest-does-not-import-bot: ingest/source.ts -> bot/store.ts',
      'runners-do-not-import-bot: runners/runner.ts -> bot/store.ts',
    ]);
  });
});

describe('function length (eslint max-lines-per-function)', () => {
  it('fails on a function over 80 lines of code in the source, not counting blanks and comments', async () => {
    // functionOf(n) is n + 4 lines of code, and twice as many blank and comment lines besides.
    expect(await lengthErrors('bot/jobs/lint-fixture.ts', functionOf(77))).toEqual([
      expect.stringMatching(/too many lines \(81\)\. Maximum allowed is 80/),
    ]);
    expect(await lengthErrors('ingest/parse/lint-fixture.ts', functionOf(76))).toEqual([]);
  });

  it('leaves tests alone: a test case reads top to bottom', async () => {
    expect(await lengthErrors('test/unit/bot/lint-fixture.test.ts', functionOf(200))).toEqual([]);
  });
});
