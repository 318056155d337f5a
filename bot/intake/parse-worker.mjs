// Worker-thread entry for the parse pool. Plain JS so it can start without a loader, then
// registers tsx to load the TypeScript parser.
import { register } from 'tsx/esm/api';
register();
await import('./parse-worker.ts');
