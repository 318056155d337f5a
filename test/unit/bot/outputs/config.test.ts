/** The `outputs:` section of the configuration: each kind's schema, names, secrets. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../../../config/load.ts';
import { repoRoot } from '../../../../config/repo-root.ts';

const pw = { kind: 'patchwork', url: 'https://patchwork.kernel.org', project: 'linux-nvdimm' };

describe('outputs configuration', () => {
  it('takes a Patchwork and a KCIDB output with their defaults', () => {
    const r = parseConfig({ outputs: [pw, { kind: 'kcidb', url: 'https://kcidb.example.org/submit' }] }, {});
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.config.outputs).toEqual([
      { ...pw, tokenEnv: 'DAXBOT_PATCHWORK_TOKEN', context: 'daxbot', pending: true, timeoutMs: 60_000 },
      {
        kind: 'kcidb',
        url: 'https://kcidb.example.org/submit',
        tokenEnv: 'DAXBOT_KCIDB_TOKEN',
        origin: 'daxbot',
        timeoutMs: 60_000,
      },
    ]);
    expect(r.warnings).toContain(
      'outputs.patchwork: environment variable DAXBOT_PATCHWORK_TOKEN is not set; nothing is posted',
    );
    expect(r.warnings).toContain(
      "outputs: they link to http://localhost:8080; set mail.dashboardUrl to the dashboard's public address",
    );
    const pub = parseConfig({ outputs: [pw], mail: { dashboardUrl: 'https://daxbot.example.org' } }, { A: '1' });
    expect(pub.warnings.filter((w) => w.startsWith('outputs: they link'))).toEqual([]);
    expect(parseConfig({}, {}).ok && parseConfig({}, {})).toMatchObject({ config: { outputs: [] } });
  });

  it('refuses a token in the file, two outputs of one name, unknown kinds and bad values', () => {
    const errors = (input: unknown) => {
      const r = parseConfig(input, {});
      return r.ok ? [] : r.errors;
    };
    expect(errors({ outputs: [{ ...pw, token: 'abc' }] })[0]).toMatch(/outputs\.0\.token: secrets are read from/);
    expect(errors({ outputs: [pw, { ...pw, name: 'b', contxt: 'x' }] })).toEqual([
      'outputs.1.contxt: unknown key (did you mean context?)',
    ]);
    expect(errors({ outputs: [pw, pw] }).join()).toMatch(/two outputs named patchwork/);
    expect(errors({ outputs: [pw, { ...pw, name: 'second' }] })).toEqual([]);
    expect(errors({ outputs: [{ kind: 'gerrit', url: 'https://x.example.org' }] }).join()).toMatch(/outputs\.0\.kind/);
    expect(errors({ outputs: [{ ...pw, context: 'dax bot' }] }).join()).toMatch(/outputs\.0\.context/);
    expect(errors({ outputs: [{ kind: 'kcidb', url: 'https://k.example.org', origin: 'Dax' }] }).join()).toMatch(
      /outputs\.0\.origin/,
    );
  });

  it('takes the commented examples of config/default.yaml as they are written', () => {
    const lines = readFileSync(path.join(repoRoot, 'config/default.yaml'), 'utf8').split('\n');
    const start = lines.indexOf('outputs: []');
    const block = lines.slice(start + 1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('  #')));
    const examples = block.filter((l) => /^ {2}# {1,3}[-a-zA-Z]/.test(l) && !/^ {2}# [A-Z]/.test(l));
    const outputs = examples.map((l) => l.replace(/^ {2}# /, '  '));
    const yaml = ['mail:', '  dashboardUrl: https://d.example.org', 'outputs:', ...outputs].join('\n');
    const r = parseConfig(parseYaml(yaml), {});
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.config.outputs.map((o) => o.kind)).toEqual(['patchwork', 'kcidb', 'github']);
  });
});
