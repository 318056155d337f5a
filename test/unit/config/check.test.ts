import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { unknownKeys } from '../../../config/check.ts';
import { DEFAULT_CONFIG_FILE, loadConfig, parseConfig } from '../../../config/load.ts';

function errors(doc: unknown): string[] {
  const r = parseConfig(doc);
  return r.ok ? [] : r.errors;
}

describe('config check', () => {
  it('refuses cron expressions node-cron refuses, naming the expected form', () => {
    expect(errors({ schedule: { process: '61 * * * *' } })).toEqual([
      'schedule.process: "61 * * * *" is not a valid cron expression (five fields: minute hour day-of-month month day-of-week, e.g. "*/5 * * * *")',
    ]);
    expect(errors({ sources: [{ kind: 'mbox', name: 'm', path: 'x', schedule: 'every minute' }] })[0]).toMatch(
      /^sources\.0\.schedule: "every minute" is not a valid cron expression/,
    );
    expect(errors({ schedule: { process: '*/5 * * * *' } })).toEqual([]);
  });

  it('refuses unknown keys at every level, with the nearest known key', () => {
    expect(
      errors({
        bogus: 1,
        mail: { form: 'x <x@y>', smtp: { hots: 'h', host: 'h' } },
        trees: [{ name: 't', pth: '/srv/linux' }],
        runners: [{ name: 'q', kind: 'qemu-pmem', nvdimms: [{ sizeMiB: 1, sizeMib: 2 }], memoryMib: 1 }],
        sources: [{ kind: 'imap', name: 'i', host: 'h', user: 'u', mailbx: 'x' }],
        schedule: { concurency: 2 },
        dashboard: { lisen: '127.0.0.1:1' },
      }),
    ).toEqual([
      'bogus: unknown key (known keys: database, cacheDir, workDir, sources, trees, runners, mail, schedule, allLists, dashboard)',
      'mail.form: unknown key (did you mean from?)',
      'mail.smtp.hots: unknown key (did you mean host?)',
      'trees.0.pth: unknown key (did you mean path?)',
      'runners.0.nvdimms.0.sizeMib: unknown key (did you mean sizeMiB?)',
      'runners.0.memoryMib: unknown key (did you mean memoryMiB?)',
      'sources.0.mailbx: unknown key (did you mean mailbox?)',
      'schedule.concurency: unknown key (did you mean concurrency?)',
      'dashboard.lisen: unknown key (did you mean listen?)',
    ]);
  });

  it('says which duration formats are accepted, and what it got', () => {
    const [e] = errors({ runners: [{ name: 'q', kind: 'qemu-pmem', bootTimeout: '2min' }] });
    expect(e).toBe(
      'runners.0.bootTimeout: expected a duration: milliseconds as a whole number (1500), or a whole number and a unit ms, s, m or h ("500ms", "30s", "5m", "6h") (got "2min")',
    );
    expect(errors({ schedule: { incompleteWait: 1.5 } })[0]).toMatch(/^schedule\.incompleteWait: expected a duration/);
    expect(errors({ schedule: { incompleteWait: 90_000 } })).toEqual([]);
  });

  it('refuses a tree path that does not exist or is not a git repository, relative to the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-config-'));
    const write = (text: string): string => {
      const f = path.join(dir, 'c.yaml');
      writeFileSync(f, text);
      return f;
    };
    const missing = loadConfig(write('trees: [{ name: t, path: ./linux }]\n'), {});
    expect(missing.ok ? [] : missing.errors).toEqual([`trees.0.path: ${path.join(dir, 'linux')} does not exist`]);
    mkdirSync(path.join(dir, 'linux'));
    const plain = loadConfig(write('trees: [{ name: t, path: ./linux }]\n'), {});
    expect(plain.ok ? [] : plain.errors).toEqual([`trees.0.path: ${path.join(dir, 'linux')} is not a git repository`]);
    execFileSync('git', ['init', '-q', path.join(dir, 'linux')]);
    expect(loadConfig(write('trees: [{ name: t, path: ./linux }]\n'), {}).ok).toBe(true);
    const mbox = loadConfig(write('sources: [{ kind: mbox, name: m, path: nope.mbox }]\n'), {});
    expect(mbox.ok ? [] : mbox.errors).toEqual([`sources.0.path: ${path.join(dir, 'nope.mbox')} does not exist`]);
  });
});

describe('the built-in configuration', () => {
  it('is config/default.yaml: one runner (qemu-pmem), the linux-6.1 tree, no source', () => {
    const builtIn = loadConfig(undefined, {});
    const file = loadConfig(DEFAULT_CONFIG_FILE, {});
    expect(builtIn.ok && file.ok).toBe(true);
    if (!builtIn.ok || !file.ok) return;
    expect(builtIn.config).toEqual(file.config);
    expect(builtIn.config.runners.map((r) => [r.name, r.kind, r.enabled])).toEqual([['qemu-pmem', 'qemu-pmem', true]]);
    expect(builtIn.config.trees.map((t) => [t.name, t.debian])).toEqual([['linux-6.1', '6.1']]);
    expect(builtIn.config.sources).toEqual([]);
  });

  it('shows the default of every key the schema fills in (the runner and tree lists are its own)', () => {
    const builtIn = loadConfig(undefined, {});
    const empty = parseConfig({});
    if (!builtIn.ok || !empty.ok) throw new Error('both parse');
    expect({ ...empty.config, runners: [], trees: [] }).toEqual({ ...builtIn.config, runners: [], trees: [] });
    const runner = parseConfig({ runners: [{ name: 'qemu-pmem', kind: 'qemu-pmem' }] });
    expect(runner.ok && runner.config.runners).toEqual(builtIn.config.runners);
  });
});

describe('unknownKeys', () => {
  it('follows intersections and leaves open objects (passthrough, catchall) alone', () => {
    const schema = z.object({
      both: z.intersection(z.object({ a: z.number() }), z.object({ b: z.number() })),
      open: z.object({ a: z.number() }).passthrough(),
      extra: z.object({ a: z.number() }).catchall(z.string()),
    });
    expect(unknownKeys(schema, { both: { a: 1, b: 2, c: 3 }, open: { z: 1 }, extra: { z: 'x' } })).toEqual([
      'both.c: unknown key (known keys: a, b)',
    ]);
  });
});
