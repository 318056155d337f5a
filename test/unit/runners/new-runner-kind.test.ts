/**
 * Adding a runner kind is one module and one registerRunner call (issue 10, must-show 2). This
 * file is the whole of a new kind, "toy-sim": its schema with its own key, its guest folder, its
 * reproducer sentence, and a runner built on the scripted machinery (no kernel). Registered with
 * one call, it is validated by the configuration, named in the baseline digest and in the reply,
 * and runs through the pipeline (runCycle with the store, the judge and the renderer) like the
 * kinds that ship. No other file knows it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCycle } from '../../../bot/queue/cycle.ts';
import { versionReplies } from '../../../bot/store/replies.ts';
import { parseConfig } from '../../../config/load.ts';
import { defineRunner } from '../../../runners/module.ts';
import { createRunner, registerRunner, runnerConfigHash, runnerProfile } from '../../../runners/registry.ts';
import { runnerSchemaFor } from '../../../runners/schema.ts';
import { createScriptedRunner } from '../../../runners/scripted/runner.ts';
import type { Runner } from '../../../runners/types.ts';
import { FakeSender, fakeDeps, storeWith, testConfig, version } from '../../helpers/pipeline-fakes.ts';

// --- The new kind: one module. ---

const guestDir = mkdtempSync(path.join(tmpdir(), 'daxbot-toy-guest-'));
writeFileSync(path.join(guestDir, 'toy-suite.sh'), 'echo toy suite v1\n');

const toySchema = runnerSchemaFor(
  'toy-sim',
  { fragments: [], suites: ['toy'] },
  {
    /** From which patch on the toy guest crashes (its own key, validated by the config). */
    toyCrashFrom: z.number().int().positive().nullable().default(null),
  },
);

const TOY_GUEST = 'the toy guest';

function createToyRunner(config: z.output<typeof toySchema>): Runner {
  const inner = createScriptedRunner(config.name, { delayMs: 0, badPatch: config.toyCrashFrom, baseCrashes: false });
  return {
    ...inner,
    // A recorded QEMU command, so the reply carries a reproducer with the kind's own sentence.
    run: async (req, ctx) => ({
      ...(await inner.run(req, ctx)),
      qemuCommand: ['qemu-system-x86_64', '-kernel', '/build/arch/x86/boot/bzImage', '-initrd', '/cache/toy.cpio'],
    }),
  };
}

const toyRunner = defineRunner({
  kind: 'toy-sim',
  description: 'a toy simulator (test)',
  schema: toySchema,
  create: (config) => createToyRunner(config),
  profile: (config) => ({ fragments: [], suites: config.suites, platform: 'simulated by a toy', nvdimms: [] }),
  guestPaths: [guestDir],
  guest: TOY_GUEST,
});

// --- Its registration: one call. ---

registerRunner(toyRunner);

// --- What that gives. ---

const temps = [guestDir];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const toyEntry = { name: 'toy', kind: 'toy-sim', toyCrashFrom: 2 };

describe('a runner kind added by one module and one registerRunner call', () => {
  it('has its own config keys validated, and unknown keys refused', () => {
    const ok = parseConfig({ runners: [toyEntry] });
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.config.runners[0]).toMatchObject({ kind: 'toy-sim', toyCrashFrom: 2, suites: ['toy'] });
    const bad = parseConfig({
      runners: [
        { ...toyEntry, toyCrashFrom: 'soon' },
        { ...toyEntry, name: 'toy2', ndctlSource: '/srv/ndctl' },
        { name: 'q', kind: 'qemu-pmem', toyCrashFrom: 1 },
      ],
    });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors.join('\n');
    expect(errors).toMatch(/runners\.0\.toyCrashFrom/);
    expect(errors).toMatch(/runners\.1\.ndctlSource: unknown key \(known keys: .*, toyCrashFrom\)/);
    expect(errors).toMatch(/runners\.2\.toyCrashFrom: unknown key \(known keys: .*, nvdimms, fstestsSource, .*\)/);
  });

  it('puts its own guest folder in the baseline digest', () => {
    const [rc, q] = testConfig({ runners: [toyEntry, { name: 'q', kind: 'qemu-pmem' }] }).runners;
    if (!rc || !q) throw new Error('no runner');
    // A root other than the code's own: nothing is memoized, so the edit below is seen.
    const root = mkdtempSync(path.join(tmpdir(), 'daxbot-toy-root-'));
    temps.push(root);
    const before = runnerConfigHash(rc, root);
    const pmem = runnerConfigHash(q, root);
    writeFileSync(path.join(guestDir, 'toy-suite.sh'), 'echo toy suite v2\n');
    expect(runnerConfigHash(rc, root)).not.toBe(before);
    expect(runnerConfigHash(q, root)).toBe(pmem);
    expect(runnerProfile(rc).platform).toBe('simulated by a toy');
  });

  it('runs through the pipeline: its regression is bisected and mailed with its own reproducer text', async () => {
    const store = await storeWith([version('toy#v1', 3)]);
    const sender = new FakeSender();
    const config = testConfig({ runners: [toyEntry] });
    const deps = fakeDeps(
      store,
      createScriptedRunner('unused', { delayMs: 0, badPatch: null, baseCrashes: false }),
      sender,
      {
        config,
        runnerFor: (rc) => createRunner(rc, { repoRoot: '/nonexistent', cacheDir: '/nonexistent' }),
        // One Subject line per patch: what the scripted machinery counts.
        exportMbox: async () =>
          Buffer.from([1, 2, 3].map((i) => `From x\nSubject: [PATCH ${i}/3] patch ${i}\n\ndiff\n`).join('\n')),
      },
    );
    await runCycle(deps, { since: null });
    const [reply] = await versionReplies(store.db, 'toy#v1');
    expect(reply?.outcome).toBe('regression');
    const text = (reply?.raw ?? '').replace(/\s+#?\s*/g, ' ');
    expect(text).toContain('first bad commit: [PATCH 2/3] patch number 2');
    expect(text).toContain('initramfs.cpio.gz the toy guest');
    const rc = config.runners[0];
    if (!rc) throw new Error('no runner');
    const baselines = await store.db.selectFrom('baselines').select(['runner', 'config_hash']).execute();
    expect(baselines.length).toBeGreaterThan(0);
    expect(baselines.every((b) => b.runner === 'toy' && b.config_hash === runnerConfigHash(rc))).toBe(true);
    await store.close();
  });
});
