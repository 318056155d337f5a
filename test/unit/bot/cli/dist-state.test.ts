/**
 * bin/daxbot.js runs dist/ only when it is at least as new as every TypeScript source, the build
 * configuration and package.json (bin/dist-state.js); otherwise the sources, through tsx.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../helpers/cli.ts';

function fresh(root: string): boolean {
  const script = `import { distIsFresh } from ${JSON.stringify(path.join(repoRoot, 'bin/dist-state.js'))};
process.stdout.write(String(distIsFresh(${JSON.stringify(root)})));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script]).toString() === 'true';
}

describe('dist/ freshness', () => {
  it('is stale without a build, fresh after one, stale again when a source or the build config changes', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'daxbot-dist-'));
    const at = (file: string, seconds: number): void => utimesSync(path.join(root, file), seconds, seconds);
    mkdirSync(path.join(root, 'bot', 'cli'), { recursive: true });
    mkdirSync(path.join(root, 'dist'));
    writeFileSync(path.join(root, 'tsconfig.build.json'), JSON.stringify({ include: ['bot'] }));
    for (const f of ['tsconfig.json', 'package.json', 'bot/cli/main.ts', 'bot/notes.md']) {
      writeFileSync(path.join(root, f), '{}');
      at(f, 1000);
    }
    at('tsconfig.build.json', 1000);
    expect(fresh(root)).toBe(false);
    writeFileSync(path.join(root, 'dist/.built'), '');
    at('dist/.built', 2000);
    expect(fresh(root)).toBe(true);
    at('bot/notes.md', 3000); // not compiled: no rebuild
    expect(fresh(root)).toBe(true);
    at('bot/cli/main.ts', 3000);
    expect(fresh(root)).toBe(false);
    at('bot/cli/main.ts', 1000);
    at('package.json', 3000);
    expect(fresh(root)).toBe(false);
  });
});
