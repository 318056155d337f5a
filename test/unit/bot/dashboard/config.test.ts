import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../config/load.ts';

describe('dashboard configuration', () => {
  it('is absent by default and gets its defaults when the section is there', () => {
    const none = parseConfig({});
    expect(none.ok && none.config.dashboard).toBeUndefined();
    const some = parseConfig({ dashboard: {} }, { DAXBOT_DASHBOARD_TOKEN: 'x' });
    expect(some.ok && some.config.dashboard).toEqual({ listen: '127.0.0.1:8080', tokenEnv: 'DAXBOT_DASHBOARD_TOKEN' });
    expect(some.warnings.filter((w) => w.startsWith('dashboard'))).toEqual([]);
  });

  it('warns when the secret variable is unset and refuses a literal secret', () => {
    const unset = parseConfig({ dashboard: { tokenEnv: 'MY_TOKEN' } }, {});
    expect(unset.warnings).toContain(
      'dashboard: environment variable MY_TOKEN is not set; re-runs from the dashboard are refused',
    );
    const literal = parseConfig({ dashboard: { token: 'hunter2' } });
    expect(literal.ok).toBe(false);
    expect(!literal.ok && literal.errors.join('\n')).toContain(
      'dashboard.token: secrets are read from the environment',
    );
    expect(parseConfig({ dashboard: { listen: 'nohostport' } }).ok).toBe(false);
  });
});
