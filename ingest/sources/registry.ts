import type { SourceConfig } from '../../config/schema.ts';
import { createImapSource, type ImapSourceDeps } from './imap/index.ts';
import { createLoreHttpSource, type LoreHttpDeps } from './lore-http/index.ts';
import { createMboxSource, type MboxSourceDeps } from './mbox/index.ts';
import { createPublicInboxGitSource, type PublicInboxGitDeps } from './public-inbox-git/index.ts';
import type { Source } from './types.ts';

/** What the factories may need from the outside; every field is optional. */
export interface SourceDeps extends PublicInboxGitDeps, LoreHttpDeps, ImapSourceDeps, MboxSourceDeps {}

type Factory<K extends SourceConfig['kind']> = (config: Extract<SourceConfig, { kind: K }>, deps: SourceDeps) => Source;

/** One module per kind, keyed like Renovate's datasources; add a kind here and in config/schema.ts. */
const factories: { [K in SourceConfig['kind']]: Factory<K> } = {
  'public-inbox-git': (config, deps) => createPublicInboxGitSource(config, deps),
  'lore-http': (config, deps) => createLoreHttpSource(config, deps),
  imap: (config, deps) => createImapSource(config, deps),
  mbox: (config, deps) => createMboxSource(config, deps),
};

export const sourceKinds = Object.keys(factories) as ReadonlyArray<SourceConfig['kind']>;

export function createSource(config: SourceConfig, deps: SourceDeps = {}): Source {
  switch (config.kind) {
    case 'public-inbox-git':
      return factories['public-inbox-git'](config, deps);
    case 'lore-http':
      return factories['lore-http'](config, deps);
    case 'imap':
      return factories.imap(config, deps);
    case 'mbox':
      return factories.mbox(config, deps);
  }
}
