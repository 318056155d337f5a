/**
 * The source registry: one line per kind of mail source, keyed like Renovate's datasources.
 * Each line gives the kind's configuration schema (config/schema.ts assembles them) and loads its
 * module when a source of that kind is made, so reading the configuration never pulls in a
 * source's client (imapflow, ...). Adding a kind is one folder (index.ts, schema.ts) and one line.
 */
import type { z } from 'zod';
import { githubSchema } from './github/schema.ts';
import { imapSchema } from './imap/schema.ts';
import { loreHttpSchema } from './lore-http/schema.ts';
import { mboxSchema } from './mbox/schema.ts';
import { publicInboxGitSchema } from './public-inbox-git/schema.ts';
import type { Source, SourceEnvironment } from './types.ts';

/** A kind's registry line: its schema, and its factory, loaded on demand. */
interface SourceKindEntry<C> {
  schema: z.ZodType<C, z.ZodTypeDef, unknown>;
  load(): Promise<(config: C, env: SourceEnvironment) => Source>;
}

export const sourceRegistry = {
  'public-inbox-git': {
    schema: publicInboxGitSchema,
    load: async () => (await import('./public-inbox-git/index.ts')).createPublicInboxGitSource,
  },
  'lore-http': {
    schema: loreHttpSchema,
    load: async () => (await import('./lore-http/index.ts')).createLoreHttpSource,
  },
  imap: { schema: imapSchema, load: async () => (await import('./imap/index.ts')).createImapSource },
  mbox: { schema: mboxSchema, load: async () => (await import('./mbox/index.ts')).createMboxSource },
  github: { schema: githubSchema, load: async () => (await import('./github/index.ts')).createGithubSource },
};

type Registry = typeof sourceRegistry;
export type SourceKind = keyof Registry;
type ConfigOf<K extends SourceKind> = z.output<Registry[K]['schema']>;
/** Any source's parsed configuration (one member per registered kind). */
export type SourceConfig = { [K in SourceKind]: ConfigOf<K> }[SourceKind];
/** Every kind's schema, for config/schema.ts. */
export type SourceSchema = Registry[SourceKind]['schema'];

// The registry seen kind by kind: this checks that each line's factory takes its own schema's
// output, and lets createSource look a factory up without a switch.
const byKind: { [K in SourceKind]: SourceKindEntry<ConfigOf<K>> } = sourceRegistry;

export const sourceKinds = Object.keys(sourceRegistry).filter((k): k is SourceKind => k in byKind);

async function createOf<K extends SourceKind>(kind: K, config: ConfigOf<K>, env: SourceEnvironment): Promise<Source> {
  const create = await byKind[kind].load();
  return create(config, env);
}

/** Makes the source a configuration names; relative paths resolve against `env.baseDir`. */
export function createSource(config: SourceConfig, env: SourceEnvironment = {}): Promise<Source> {
  return createOf(config.kind, config, env);
}
