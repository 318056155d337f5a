/** The `outputs:` section of the configuration: each kind's schema, names, secrets. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../config/load.ts';

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
});
