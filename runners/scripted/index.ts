/**
 * The scripted runner module: results played from a script, no kernel built. See README.md in
 * this folder.
 */
import { defineRunner } from '../module.ts';
import { createScriptedRunner } from './runner.ts';
import { SCRIPTED_KIND, scriptedSchema } from './schema.ts';

export const scriptedRunner = defineRunner({
  kind: SCRIPTED_KIND,
  description: 'scripted results (delayMs, badPatch, baseCrashes): no kernel is built; for demos and tests',
  schema: scriptedSchema,
  create: (config) => createScriptedRunner(config.name, config),
  profile: (config) => ({
    fragments: config.fragments,
    suites: config.suites,
    platform: 'none: the results are scripted',
    nvdimms: [],
  }),
  guestPaths: [],
  guest: 'none: the scripted runner boots no guest',
});
