import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize, verifyDkim, type DkimVerdict } from '../../../../bot/commands/authorize.ts';
import { parseCommands, type Command } from '../../../../bot/commands/parse.ts';

describe('parseCommands', () => {
  it('reads commands and ignores quoted lines, prose and the signature', () => {
    const body = [
      'Thanks for the report.',
      '> #daxbot retest',
      '>> #daxbot invalid',
      'I will say #daxbot test later in prose.',
      '#daxbot test ndctl dax base v6.10-rc5 repeat 3',
      '  #DAXBOT retest',
      '#daxbot unrelated WARNING in dax_iomap_rw',
      '#daxbot invalid',
      '-- ',
      '#daxbot retest',
    ].join('\r\n');
    const r = parseCommands(body);
    expect(r.errors).toEqual([]);
    expect(r.commands).toEqual<Command[]>([
      {
        kind: 'test',
        suites: ['ndctl', 'dax'],
        base: 'v6.10-rc5',
        repeat: 3,
        line: '#daxbot test ndctl dax base v6.10-rc5 repeat 3',
      },
      { kind: 'retest', line: '#DAXBOT retest' },
      { kind: 'unrelated', crashTitle: 'WARNING in dax_iomap_rw', line: '#daxbot unrelated WARNING in dax_iomap_rw' },
      { kind: 'invalid', line: '#daxbot invalid' },
    ]);
  });

  it('answers unknown commands and bad arguments with errors', () => {
    const body = [
      '#daxbot frobnicate',
      '#daxbot',
      '#daxbot retest now',
      '#daxbot test repeat 0',
      '#daxbot test repeat x',
      '#daxbot test base',
      '#daxbot test base --upload-pack=evil',
      '#daxbot test base a..b',
      '#daxbot test base v1 base v2',
      '#daxbot test fstests',
      '#daxbot test $(rm)',
      '#daxbot unrelated',
      '#daxbot invalid please',
    ].join('\n');
    const r = parseCommands(body, { suites: ['dax', 'ndctl'] });
    expect(r.commands).toEqual([]);
    expect(r.errors.map((e) => [e.lineNumber, e.error])).toEqual([
      [1, 'unknown command "frobnicate"; known commands: test, retest, unrelated, invalid'],
      [2, 'no command given; known commands: test, retest, unrelated, invalid'],
      [3, '"retest" takes no arguments (got "now")'],
      [4, '"repeat" must be between 1 and 10'],
      [5, '"repeat" needs a number, got "x"'],
      [6, '"base" needs a value'],
      [7, '"--upload-pack=evil" is not a commit, tag or branch name'],
      [8, '"a..b" is not a commit, tag or branch name'],
      [9, '"base" given twice'],
      [10, 'unknown suite "fstests"; known suites: dax, ndctl'],
      [11, '"$(rm)" is not a suite name'],
      [12, '"unrelated" needs the crash title, e.g. "#daxbot unrelated WARNING in dax_iomap_rw"'],
      [13, '"invalid" takes no arguments (got "please")'],
    ]);
  });
});

const pass: DkimVerdict = { pass: true, domains: ['intel.com'], fromDomain: 'intel.com', detail: 'pass (intel.com)' };
const fail: DkimVerdict = { pass: false, domains: [], fromDomain: 'intel.com', detail: 'none (no signature)' };
const maintainers = ['Dan Williams <dan.j.williams@intel.com>'];
const now = Date.parse('2024-06-28T12:00:00Z');
const cmd = (body: string): Command => {
  const c = parseCommands(body).commands[0];
  if (!c) throw new Error('no command');
  return c;
};

describe('authorize', () => {
  it('allows privileged commands only to DKIM-verified maintainers', () => {
    const privileged = [
      '#daxbot test base v6.1',
      '#daxbot test repeat 3',
      '#daxbot unrelated WARNING in foo',
      '#daxbot invalid',
    ];
    for (const line of privileged) {
      const c = cmd(line);
      expect(authorize(c, { from: 'DAN.J.WILLIAMS@intel.com', dkim: pass, maintainers, recent: [], now })).toEqual({
        command: line,
        allowed: true,
        reason: 'maintainer dan.j.williams@intel.com, DKIM pass (intel.com)',
      });
      const forged = authorize(c, { from: 'dan.j.williams@intel.com', dkim: fail, maintainers, recent: [], now });
      expect(forged.allowed).toBe(false);
      expect(forged.reason).toMatch(/did not pass DKIM/);
      const stranger = authorize(c, {
        from: 'someone@example.org',
        dkim: { ...pass, domains: ['example.org'] },
        maintainers,
        recent: [],
        now,
      });
      expect(stranger.allowed).toBe(false);
      expect(stranger.reason).toMatch(/not on the maintainer list/);
    }
  });

  it('rejects a DKIM pass for another domain (not aligned with From)', () => {
    const d = authorize(cmd('#daxbot invalid'), {
      from: 'dan.j.williams@intel.com',
      dkim: { ...pass, domains: ['evil.example'] },
      maintainers,
      recent: [],
      now,
    });
    expect(d.allowed).toBe(false);
  });

  it('lets anyone retest, 3 times per series version per day', () => {
    const hour = 3_600_000;
    const ctx = { from: 'someone@example.org', dkim: fail, maintainers, now };
    expect(authorize(cmd('#daxbot retest'), { ...ctx, recent: [] })).toMatchObject({
      allowed: true,
      reason: 'anyone may re-test (1 of 3 today)',
    });
    expect(authorize(cmd('#daxbot test ndctl'), { ...ctx, recent: [now - hour, now - 2 * hour] }).allowed).toBe(true);
    const refused = authorize(cmd('#daxbot retest'), { ...ctx, recent: [now - hour, now - 2 * hour, now - 3 * hour] });
    expect(refused).toMatchObject({ allowed: false });
    expect(refused.reason).toBe(
      'rate limit: 3 re-tests per series version per day; the next one is possible after 2024-06-29T09:00:00.000Z',
    );
    // older than a day: forgotten
    expect(
      authorize(cmd('#daxbot retest'), { ...ctx, recent: [now - 25 * hour, now - 26 * hour, now - 30 * hour] }).allowed,
    ).toBe(true);
    // a verified maintainer is not limited
    expect(
      authorize(cmd('#daxbot retest'), {
        ...ctx,
        from: 'dan.j.williams@intel.com',
        dkim: pass,
        recent: [now, now, now],
      }).allowed,
    ).toBe(true);
  });
});

describe('verifyDkim', () => {
  let privateKey = '';
  let publicKeyB64 = '';
  const resolver = async (name: string, rrtype: string): Promise<string[][]> => {
    if (rrtype === 'TXT' && name === 'sel1._domainkey.intel.example') return [[`v=DKIM1; k=rsa; p=${publicKeyB64}`]];
    throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
  };
  const message = (from: string) =>
    [
      `From: Dan Williams <${from}>`,
      'To: nvdimm@lists.linux.dev',
      'Subject: Re: [PATCH 00/13] fs/dax: Fix FS DAX page reference counts',
      'Message-ID: <cmd-1@intel.example>',
      'Date: Fri, 28 Jun 2024 12:00:00 +0000',
      '',
      '#daxbot test ndctl repeat 3',
      '',
    ].join('\r\n');
  const sign = async (msg: string, domain = 'intel.example') => {
    // The signer reads its keys from signatureData; the top-level fields are the defaults.
    const key = { signingDomain: domain, selector: 'sel1', privateKey };
    const { signatures, errors } = await dkimSign(msg, { ...key, signatureData: [key] });
    expect(errors).toEqual([]);
    expect(signatures).toMatch(/^DKIM-Signature: /);
    return signatures + msg;
  };

  beforeAll(() => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    publicKeyB64 = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  });

  it('passes a message signed by the From domain', async () => {
    const v = await verifyDkim(await sign(message('dan.j.williams@intel.example')), { resolver });
    expect(v).toEqual({
      pass: true,
      domains: ['intel.example'],
      fromDomain: 'intel.example',
      detail: 'pass (intel.example)',
    });
    const d = authorize(cmd('#daxbot test ndctl repeat 3'), {
      from: 'dan.j.williams@intel.example',
      dkim: v,
      maintainers: ['dan.j.williams@intel.example'],
      recent: [],
      now,
    });
    expect(d.allowed).toBe(true);
  });

  it('fails a tampered body, an unsigned message and a foreign signature', async () => {
    const signed = await sign(message('dan.j.williams@intel.example'));
    const tampered = await verifyDkim(signed.replace('repeat 3', 'repeat 9'), { resolver });
    expect(tampered.pass).toBe(false);
    expect(tampered.detail).toMatch(/^(fail|neutral)/);
    const unsigned = await verifyDkim(message('dan.j.williams@intel.example'), { resolver });
    expect(unsigned).toMatchObject({ pass: false, detail: 'none (no signature)' });
    // Signed correctly, but by intel.example for a From in another domain.
    const foreign = await verifyDkim(await sign(message('dan.j.williams@intel.com')), { resolver });
    expect(foreign.pass).toBe(false);
    expect(foreign.detail).toBe('pass for intel.example but not aligned with intel.com');
  });
});
