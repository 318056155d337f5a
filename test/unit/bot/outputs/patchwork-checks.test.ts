/** Which check each patch gets (pure), and the Patchwork output's calls against a fake API. */
import { describe, expect, it } from 'vitest';
import { checkContext, planChecks } from '../../../../bot/outputs/patchwork/checks.ts';
import { patchworkOutput } from '../../../../bot/outputs/patchwork/index.ts';
import { patchworkOutputSchema } from '../../../../bot/outputs/patchwork/schema.ts';
import type { JobResult } from '../../../../bot/outputs/types.ts';
import { silentLogger } from '../../../../bot/log.ts';
import { version } from '../../../helpers/pipeline-fakes.ts';
import { jobResult as result } from './job-result-fixture.ts';

const states = (r: JobResult) => planChecks({ event: 'result', result: r }).map((c) => c.state);

describe('patchwork check planning', () => {
  it('maps outcomes to states, per patch around a bisected first bad patch', () => {
    expect(states(result({}))).toEqual(Array(5).fill('success'));
    expect(states(result({ outcome: 'pre-existing-only' }))).toEqual(Array(5).fill('success'));
    expect(states(result({ outcome: 'regression', firstBad: 3 }))).toEqual([
      'success',
      'success',
      'fail',
      'fail',
      'fail',
    ]);
    expect(states(result({ outcome: 'build-failed' }))).toEqual(Array(5).fill('fail'));
    expect(states(result({ outcome: 'apply-failed', failedPatch: 2 }))).toEqual([
      'warning',
      'fail',
      'warning',
      'warning',
      'warning',
    ]);
    expect(states(result(null))).toEqual(Array(5).fill('warning'));
    expect(states(result({ outcome: 'regression' }, { withdrawn: true }))).toEqual(Array(5).fill('warning'));
  });

  it('one-line descriptions; pending on start; contexts are slugs', () => {
    const checks = planChecks({
      event: 'result',
      result: result({ outcome: 'regression', firstBad: 3, summary: 'x' }),
    });
    expect(checks.map((c) => c.description)).toEqual([
      'good; the series fails from patch 3/5 on',
      'good; the series fails from patch 3/5 on',
      'first bad patch: x on abababababab',
      'fails from patch 3/5 on: x',
      'fails from patch 3/5 on: x',
    ]);
    const long = planChecks({ event: 'result', result: result({ summary: 'a\nb '.repeat(200) }) });
    expect(long[0]?.description).toMatch(/^[^\n]{200}$/);
    expect(planChecks({ event: 'start', result: result(null) }).map((c) => c.state)).toEqual(Array(5).fill('pending'));
    expect(checkContext('daxbot', 'qemu pmem/2')).toBe('daxbot-qemu_pmem_2');
  });
});

describe('patchwork output against a fake API', () => {
  it('finds each patch by Message-ID in the project, skips a check already there, and fails on a missing patch', async () => {
    const calls: string[] = [];
    const known = new Map([
      ['s#v1-1@example.org', 11],
      ['s#v1-2@example.org', 12],
    ]);
    const fakeFetch: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      calls.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
      expect(new Headers(init?.headers).get('Authorization')).toBe('Token sekrit');
      if (url.pathname === '/api/1.2/patches/') {
        const id = known.get(url.searchParams.get('msgid') ?? '');
        return Response.json(id ? [{ id, msgid: `<${url.searchParams.get('msgid')}>` }] : []);
      }
      if (url.pathname === '/api/1.2/patches/12/checks/' && (init?.method ?? 'GET') === 'GET')
        return Response.json([
          {
            id: 1,
            state: 'success',
            context: 'daxbot-qemu-pmem',
            target_url: 'https://d.example.org/runs/3',
            description: 'no failures on abababababab',
          },
        ]);
      if ((init?.method ?? 'GET') === 'GET') return Response.json([]);
      return Response.json({}, { status: 201 });
    };
    const config = patchworkOutputSchema.parse({
      kind: 'patchwork',
      url: 'https://pw.example.org/',
      project: 'nvdimm',
    });
    const out = patchworkOutput.create(config, { env: { DAXBOT_PATCHWORK_TOKEN: 'sekrit' }, fetch: fakeFetch });
    const r = result({}, { version: version('s#v1', 3) });
    const ctx = { signal: AbortSignal.timeout(5_000), log: silentLogger() };
    await expect(out.post({ event: 'result', result: r }, ctx)).rejects.toThrow(/1 of 3 patches not in Patchwork/);
    expect(calls).toContain('GET /api/1.2/patches/?msgid=s%23v1-1%40example.org&project=nvdimm');
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual(['POST /api/1.2/patches/11/checks/']);
    const noToken = patchworkOutput.create(config, { env: {}, fetch: fakeFetch });
    await expect(noToken.post({ event: 'result', result: r }, ctx)).rejects.toMatchObject({
      kind: 'output',
      context: { permanent: true },
    });
  });
});
