#!/usr/bin/env node
// The daxbot command. It runs the compiled JavaScript in dist/ (scripts/build.sh; npm start,
// npm test and the test runner build it) when dist/ is at least as new as the TypeScript sources,
// and otherwise the sources themselves through tsx: the same behaviour with a slower start, so an
// edit is never hidden behind a stale build.
import process from 'node:process';
import { distIsFresh } from './dist-state.js';

let cli;
if (distIsFresh()) {
  cli = await import('../dist/bot/cli/main.js');
} else {
  if (process.stderr.isTTY)
    process.stderr.write(
      'daxbot: dist/ is missing or older than the sources; running them through tsx (npm run build)\n',
    );
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../bot/cli/main.ts');
}
await cli.runCli();
