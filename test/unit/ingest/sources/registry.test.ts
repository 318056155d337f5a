import { describe, expect, it } from 'vitest';
import { sourceSchema } from '../../../../config/schema.ts';
import { createSource, sourceKinds } from '../../../../ingest/sources/registry.ts';

describe('source registry', () => {
  it('knows every kind of the config schema and builds each', async () => {
    expect([...sourceKinds].sort()).toEqual(['github', 'imap', 'lore-http', 'mbox', 'public-inbox-git']);
    const configs = [
      { kind: 'public-inbox-git', name: 'a', url: '/nonexistent' },
      { kind: 'lore-http', name: 'b', url: 'http://127.0.0.1:1/list/' },
      { kind: 'imap', name: 'c', host: '127.0.0.1', user: 'u' },
      { kind: 'mbox', name: 'd', path: '/nonexistent.mbox' },
      { kind: 'github', name: 'e', owner: 'pmem', repo: 'ndctl' },
    ].map((c) => sourceSchema.parse(c));
    for (const config of configs) {
      const source = await createSource(config, { cacheDir: '/tmp' });
      expect(source.kind).toBe(config.kind);
      expect(source.name).toBe(config.name);
    }
  });
});
