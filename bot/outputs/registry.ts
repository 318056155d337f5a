/**
 * Every output kind, by the `kind` of its configuration. A new kind is one folder (index.ts,
 * schema.ts, README.md) plus one line here and one in schema.ts.
 */
import { githubOutput } from './github/index.ts';
import { kcidbOutput } from './kcidb/index.ts';
import { patchworkOutput } from './patchwork/index.ts';
import type { OutputConfig } from './schema.ts';
import type { Output, OutputDeps, OutputModule } from './types.ts';

type Modules = { [K in OutputConfig['kind']]: OutputModule<Extract<OutputConfig, { kind: K }>> };

export const outputModules: Modules = {
  patchwork: patchworkOutput,
  kcidb: kcidbOutput,
  github: githubOutput,
};

function createOne<K extends OutputConfig['kind']>(c: Extract<OutputConfig, { kind: K }>, deps: OutputDeps): Output {
  const mod: OutputModule<Extract<OutputConfig, { kind: K }>> = outputModules[c.kind];
  return mod.create(c, deps);
}

/** The configured outputs, ready to post. */
export function createOutputs(configs: readonly OutputConfig[], deps: OutputDeps): Output[] {
  return configs.map((c) => createOne(c, deps));
}
