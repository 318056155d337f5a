import { describe, expect, it } from 'vitest';
import {
  applyUnrelatedMarks,
  markForCrash,
  normalizeCrashTitle,
  sameCrash,
  stoppedByTitle,
  type UnrelatedMark,
} from '../../../../bot/judge/unrelated.ts';
import { judge, type Verdict } from '../../../../bot/judge/verdict.ts';
import { commandEffect } from '../../../../bot/commands/effect.ts';
import { commandReplyId } from '../../../../bot/commands/process.ts';
import { commandReplyInput, reasonWithDkim } from '../../../../bot/report/render/command.ts';
import { renderReply } from '../../../../bot/report/render/reply.ts';
import { configSchema } from '../../../../config/schema.ts';
import { crash, makeRun, t } from './make-run.ts';
import * as inputs from '../report/render/inputs.ts';

const GPF = 'general protection fault, probably for non-canonical address 0xdead000000000100';
const NULL_DEREF = 'BUG: kernel NULL pointer dereference, address: 0000000000000008';

const mark = (title: string): UnrelatedMark => ({
  title,
  markedBy: 'dan.j.williams@intel.com',
  markedAt: '2024-06-03T09:30:00.000Z',
});

/** Two series runs and two base runs: the base is clean, every series run shows `findings`. */
function verdictWith(findings: string[], tests = [t('dax.sh', 'pass')]): Verdict {
  return judge({
    baseRuns: [makeRun({ tests: [t('dax.sh', 'pass')] }), makeRun({ tests: [t('dax.sh', 'pass')] })],
    seriesRuns: [0, 1].map(() =>
      makeRun({ findings: findings.map(crash), tests, failureClass: findings.length ? 'kernel' : 'none' }),
    ),
  });
}

const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('crash title matching', () => {
  it('normalizes whitespace and case only', () => {
    expect(normalizeCrashTitle('  BUG: kernel NULL\n  pointer   dereference ')).toBe(
      'bug: kernel null pointer dereference',
    );
    expect(
      sameCrash('BUG: kernel NULL pointer dereference,\n address: 0000000000000008', NULL_DEREF.toLowerCase()),
    ).toBe(true);
    // Punctuation and words are not normalized away: that would be another crash.
    expect(sameCrash('BUG: kernel NULL pointer dereference address 0000000000000008', NULL_DEREF)).toBe(false);
    expect(sameCrash('WARNING in dax_iomap_rw', 'WARNING in dax_iomap_pte_fault')).toBe(false);
  });

  it('matches by signature when only the address changed (the next version of the series)', () => {
    expect(sameCrash(NULL_DEREF, 'BUG: kernel NULL pointer dereference, address: 0000000000000050')).toBe(true);
  });

  it('marks match crash entries only', () => {
    expect(markForCrash({ kind: 'crash', name: GPF }, [mark('WARNING in x'), mark(GPF)])?.title).toBe(GPF);
    expect(markForCrash({ kind: 'test', name: GPF }, [mark(GPF)])).toBeNull();
  });

  it('reads the crash a runner blames for a test it could not finish', () => {
    expect(stoppedByTitle(`no result: guest stopped after: ${GPF}`)).toBe(GPF);
    expect(stoppedByTitle(`suite never started: guest stopped after: ${GPF}`)).toBe(GPF);
    expect(stoppedByTitle('exit status 1')).toBeNull();
    expect(stoppedByTitle(undefined)).toBeNull();
  });
});

describe('applyUnrelatedMarks', () => {
  it('a regression whose only new failure is marked is no longer one', () => {
    const v = verdictWith([GPF]);
    expect(v.outcome).toBe('regression');
    const after = applyUnrelatedMarks(v, [mark(GPF.toUpperCase())]);
    expect(after.outcome).toBe('pass');
    expect(after.summary).toBe('no failures; 1 marked unrelated');
    const entry = after.entries.find((e) => e.kind === 'crash');
    expect(entry).toMatchObject({ class: 'unrelated', unrelatedMark: { markedBy: 'dan.j.williams@intel.com' } });
    expect(after.notCounted).toEqual([
      { title: GPF, kind: 'crash', markedBy: 'dan.j.williams@intel.com', markedAt: '2024-06-03T09:30:00.000Z' },
    ]);
    // The input is not changed.
    expect(v.outcome).toBe('regression');
    expect(v.entries.find((e) => e.kind === 'crash')?.class).toBe('new-failure');
  });

  it('other new failures still make a regression', () => {
    const after = applyUnrelatedMarks(verdictWith([GPF, NULL_DEREF]), [mark(GPF)]);
    expect(after.outcome).toBe('regression');
    expect(after.summary).toBe('1 new crash; 1 marked unrelated');
    expect(after.entries.map((e) => [e.name, e.class])).toEqual([
      [NULL_DEREF, 'new-failure'],
      ['dax.sh', 'pass'],
      [GPF, 'unrelated'],
    ]);
  });

  it('a test the marked crash cut short is not counted either; a test failing on its own is', () => {
    const tests = [
      t('dax.sh', 'timeout', { reason: `no result: guest stopped after: ${GPF}` }),
      t('mmap.sh', 'fail', { reason: 'exit status 1' }),
    ];
    const v = judge({
      baseRuns: [makeRun({ tests: [t('dax.sh', 'pass'), t('mmap.sh', 'pass')] })],
      seriesRuns: [makeRun({ findings: [crash(GPF)], tests, failureClass: 'kernel' })],
    });
    const after = applyUnrelatedMarks(v, [mark(GPF)]);
    expect(after.outcome).toBe('regression');
    expect(after.summary).toBe('1 new test failure; 2 marked unrelated');
    expect(after.entries.find((e) => e.name === 'dax.sh')?.class).toBe('unrelated');
    expect(after.entries.find((e) => e.name === 'mmap.sh')?.class).toBe('new-failure');
    expect(after.notCounted?.map((n) => [n.kind, n.title])).toEqual([
      ['crash', GPF],
      ['test', 'ndctl/dax.sh'],
    ]);
  });

  it('leaves verdicts without a matching crash, pre-existing crashes and apply failures alone', () => {
    const v = verdictWith([GPF]);
    expect(applyUnrelatedMarks(v, [])).toBe(v);
    expect(applyUnrelatedMarks(v, [mark('WARNING in dax_iomap_rw')])).toBe(v);
    const pre = judge({
      baseRuns: [makeRun({ findings: [crash(GPF)] })],
      seriesRuns: [makeRun({ findings: [crash(GPF)] })],
    });
    expect(applyUnrelatedMarks(pre, [mark(GPF)])).toBe(pre);
    const applyFailed = judge({
      baseRuns: [],
      seriesRuns: [
        makeRun({
          apply: {
            ok: false,
            base: null,
            head: null,
            patchCommits: [],
            attempts: [{ base: 'a'.repeat(40), reason: 'configured branch', ok: false, failedPatch: 2 }],
          },
          failureClass: 'patch',
        }),
      ],
    });
    expect(applyUnrelatedMarks(applyFailed, [mark(GPF)])).toBe(applyFailed);
  });

  it('the reply says what was not counted, in one line', () => {
    const verdict = applyUnrelatedMarks(verdictWith([GPF]), [mark(GPF)]);
    const { body } = renderReply({ ...inputs.passed, verdict });
    expect(body).toContain('Verdict: pass (no failures; 1 marked unrelated)');
    expect(flat(body)).toContain(`not counted: ${GPF} (marked unrelated by dan.j.williams@intel.com on 2024-06-03)`);
    expect(body).not.toContain('NEW FAILURE');
    for (const line of body.split('\n')) expect(line.length).toBeLessThanOrEqual(75);
  });
});

describe('command answers (pure parts)', () => {
  const mail = configSchema.parse({}).mail;

  it('plans what an allowed command does', () => {
    expect(commandEffect({ kind: 'retest', line: '#daxbot retest' })).toEqual({ kind: 'rerun' });
    expect(commandEffect({ kind: 'test', suites: ['dax'], repeat: 3, line: '' })).toEqual({
      kind: 'rerun',
      suites: ['dax'],
      repeats: 3,
    });
    expect(commandEffect({ kind: 'unrelated', crashTitle: GPF, line: '' })).toEqual({
      kind: 'unrelated',
      crashTitle: GPF,
    });
    expect(commandEffect({ kind: 'invalid', line: '' })).toEqual({ kind: 'invalid' });
  });

  it('every answer carries the DKIM result, once', () => {
    const dkim = { pass: false, domains: [], fromDomain: 'example.org', detail: 'none (no signature)' };
    expect(reasonWithDkim('anyone may re-test (1 of 3 today)', dkim)).toBe(
      'anyone may re-test (1 of 3 today) (DKIM: none (no signature))',
    );
    expect(
      reasonWithDkim('mail from maintainer a@example.org did not pass DKIM for its domain: none (no signature)', dkim),
    ).not.toContain('(DKIM:');
    expect(reasonWithDkim('unparseable', null)).toBe('unparseable');
  });

  it('answers through the renderer, under a Message-ID fixed by the command line', () => {
    expect(commandReplyId('cmd@example.org/1', 'daxbot.localhost')).toBe(
      commandReplyId('cmd@example.org/1', 'daxbot.localhost'),
    );
    expect(commandReplyId('cmd@example.org/1', 'daxbot.localhost')).not.toBe(
      commandReplyId('cmd@example.org/2', 'daxbot.localhost'),
    );
    const input = commandReplyInput({
      mail,
      commandMail: {
        messageId: 'cmd@example.org',
        from: 'Dan Williams <dan.j.williams@intel.com>',
        subject: 'Re: [PATCH 0/3] fs/dax: things',
        references: ['cover@example.org'],
      },
      line: `#daxbot unrelated ${GPF}`,
      versionKey: 'cover@example.org#v1',
      allowed: true,
      reason: 'maintainer dan.j.williams@intel.com, DKIM pass (intel.com)',
      action: 'marked',
    });
    expect(input).toMatchObject({
      kind: 'command',
      dashboardLink: 'http://localhost:8080/series/cover%40example.org%23v1',
      action: 'marked',
    });
    const r = renderReply(input);
    expect(r.headers['In-Reply-To']).toBe('<cmd@example.org>');
    expect(r.headers.References).toBe('<cover@example.org> <cmd@example.org>');
    expect(r.headers['X-Daxbot-Result']).toBe('command-done');
    expect(r.body).toContain('Done: marked');
    expect(r.body).toContain('DKIM pass (intel.com)');
    // A refusal carries no action even when one was passed.
    expect(
      commandReplyInput({
        mail,
        commandMail: { messageId: 'x@y', from: 'a@b', subject: 's', references: [] },
        line: 'l',
        versionKey: null,
        allowed: false,
        reason: 'no',
        action: 'x',
      }).action,
    ).toBeUndefined();
  });
});
