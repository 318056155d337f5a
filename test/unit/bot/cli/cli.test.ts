import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRunnerCommands } from '../../../../bot/cli/runner.ts';
import { formatRunResult, resolveRunnerConfig } from '../../../../bot/cli/runner-run.ts';
import { registerSetupCommand } from '../../../../bot/cli/setup.ts';
import type { CliContext } from '../../../../bot/cli/context.ts';
import { silentLogger } from '../../../../bot/log.ts';
import { configSchema } from '../../../../config/schema.ts';
import { getRunner, listRunners } from '../../../../runners/registry.ts';

describe('runner CLI helpers', () => {
  it('resolves a configured runner by name, else defaults for a kind', () => {
    const configured = configSchema.parse({
      runners: [{ name: 'pmem-big', kind: 'qemu-pmem', memoryMiB: 4096 }],
    }).runners;
    expect(resolveRunnerConfig(configured, 'pmem-big').memoryMiB).toBe(4096);
    const d = resolveRunnerConfig(configured, 'qemu-pmem');
    expect(d.kind).toBe('qemu-pmem');
    expect(d.nvdimms).toEqual([
      { sizeMiB: 1024, labelSizeKiB: 128 },
      { sizeMiB: 256, labelSizeKiB: 128 },
    ]);
    expect(() => resolveRunnerConfig(configured, 'nope')).toThrow(/no runner named nope/);
  });

  it('formats a result', () => {
    const lines = formatRunResult({
      runner: 'qemu-pmem',
      tree: '/t',
      base: 'a',
      head: 'b',
      configHash: 'c',
      apply: null,
      build: null,
      booted: true,
      tests: [{ suite: 'dax', name: 'ext4_dax_mount', status: 'fail', reason: 'exit status 139' }],
      findings: [{ title: 'BUG: x in y', type: 'oops', rip: null, trace: [], report: '' }],
      failureClass: 'kernel',
      summary: 'BUG: x in y',
      consoleLog: '/w/console.log',
      timings: {},
    });
    expect(lines).toEqual([
      'qemu-pmem: kernel — BUG: x in y',
      '  fail    dax.ext4_dax_mount  (exit status 139)',
      '  finding: BUG: x in y',
      '  console: /w/console.log',
    ]);
  });

  it('registers the commands and the qemu-pmem runner kind', () => {
    const program = new Command();
    const ctx: CliContext = {
      config: () => Promise.resolve(configSchema.parse({})),
      configFile: () => undefined,
      configDir: () => '/repo',
      store: () => Promise.reject(new Error('no store')),
      log: silentLogger(),
      out: () => undefined,
      repoRoot: '/repo',
      env: {},
    };
    registerRunnerCommands(program, ctx);
    registerSetupCommand(program, ctx);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(['runner', 'setup']);
    expect(getRunner('qemu-pmem')?.kind).toBe('qemu-pmem');
    expect(listRunners().map((m) => m.kind)).toContain('qemu-pmem');
  });
});
