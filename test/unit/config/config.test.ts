import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../config/load.ts';
import { toMs } from '../../../config/schema.ts';

describe('config', () => {
  it('fills every default from an empty document, with warnings for what is missing', () => {
    const r = parseConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.database).toBe('var/daxbot.sqlite');
    expect(r.config.mail.outbox).toBe('var/outbox');
    expect(r.warnings.join('\n')).toMatch(/sources: none configured/);
  });

  it('reads the shipped default.yaml without errors', () => {
    const r = loadConfig(resolve('config/default.yaml'), {});
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('refuses secrets written into the file, pointing at the *Env key', () => {
    const r = parseConfig({ mail: { smtp: { host: 'x', password: 'hunter2' } } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.join('\n')).toMatch(/mail\.smtp\.password: secrets are read from the environment/);
  });

  it('names the path of each schema error', () => {
    const r = parseConfig({ sources: [{ kind: 'lore-http', name: 'x', url: 'not a url' }], bogus: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.some((e) => e.startsWith('sources.0.url'))).toBe(true);
    expect(r.errors.some((e) => /bogus/.test(e))).toBe(true);
  });

  it('warns when an IMAP password variable is not set, and not when it is', () => {
    const doc = { sources: [{ kind: 'imap', name: 'i', host: 'h', user: 'u' }] };
    const without = parseConfig(doc, {});
    expect(without.ok && without.warnings.some((w) => /DAXBOT_IMAP_PASSWORD/.test(w))).toBe(true);
    const withIt = parseConfig(doc, { DAXBOT_IMAP_PASSWORD: 'x' });
    expect(withIt.ok && withIt.warnings.some((w) => /DAXBOT_IMAP_PASSWORD/.test(w))).toBe(false);
  });

  it('rejects duplicate source names', () => {
    const r = parseConfig({
      sources: [
        { kind: 'mbox', name: 'a', path: 'x' },
        { kind: 'mbox', name: 'a', path: 'y' },
      ],
    });
    expect(r.ok).toBe(false);
  });

  it('converts durations', () => {
    expect(toMs('30s')).toBe(30_000);
    expect(toMs('6h')).toBe(21_600_000);
    expect(toMs(5)).toBe(5);
  });
});
