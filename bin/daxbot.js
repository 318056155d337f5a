#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so there is no separate build step to forget.
import { register } from 'tsx/esm/api';
register();
await import('../bot/cli/main.ts');
