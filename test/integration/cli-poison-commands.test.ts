/**
 * One mail never stops the bot (issue 12, must-show 1), through the command line as a child
 * process: `#daxbot retest` replies whose From has no usable address (`undisclosed-recipients:;`,
 * a broken `"Eve`) or is the bot's own address in capitals are ingested, then a legitimate
 * `#daxbot retest`. `daxbot run --once` exits 0, again on the next run; the legitimate command is
 * recorded and answered with one mail; the poison mails are recorded with their reasons (in the
 * store and in `daxbot status`) and answered by none. Runs are scripted (DAXBOT_SCRIPTED_RUNNER):
 * this is about the command intake, not kernels.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listCommands } from '../../bot/store/commands.ts';
import { openStore } from '../../bot/store/store.ts';
import { repoRoot, writeScriptedDemoConfig } from '../helpers/bot-process.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-poison-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COVER = 'cover.1795317600.git.ann@example.org';

function reply(id: string, from: string, body: string): string {
  return [
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    `From: ${from}`,
    'To: nvdimm@lists.linux.dev',
    'Subject: Re: [PATCH 0/2] dax, pmem: two comments',
    'Date: Sat, 01 Jun 2024 12:00:00 +0000',
    `Message-ID: <${id}>`,
    `In-Reply-To: <${COVER}>`,
    `References: <${COVER}>`,
    '',
    body,
    '',
  ].join('\n');
}

function daxbot(config: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/daxbot.js'), '--config', config, ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DAXBOT_DB: path.join(dir, 'db.sqlite'),
      DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json'),
      DAXBOT_LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('poison command mails (child process)', () => {
  it('run --once exits 0, handles the legitimate command and records the poison with reasons', async () => {
    const config = writeScriptedDemoConfig(dir, {
      runners: ['{ name: qemu-pmem, kind: qemu-pmem, suites: [dax] }'],
      schedule: '{ confirmRepeats: 0, concurrency: 1 }',
      script: { delayMs: 0 },
    });
    const mbox = path.join(dir, 'commands.mbox');
    writeFileSync(
      mbox,
      [
        reply('poison-undisclosed@example.net', 'undisclosed-recipients:;', '#daxbot retest'),
        reply('poison-broken@example.net', '"Eve', '#daxbot retest'),
        reply('poison-self@example.net', 'DAXBOT@LOCALHOST', '#daxbot retest'),
        reply('legit@example.org', 'Bob Reviewer <bob@example.org>', 'Looks flaky.\n\n#daxbot retest'),
      ].join('\n'),
    );
    expect(daxbot(config, ['ingest', '--mbox', mbox]).status).toBe(0);
    for (let run = 0; run < 2; run++) {
      const r = daxbot(config, ['run', '--once', '--since', 'all']);
      expect(r.status, r.stderr).toBe(0);
    }

    const store = await openStore(path.join(dir, 'db.sqlite'));
    const commands = await listCommands(store.db);
    const legit = commands.find((c) => c.messageId.startsWith('legit@example.org'));
    expect(legit).toMatchObject({ decision: 'accepted', fromAddress: 'bob@example.org' });
    expect(legit?.jobId).not.toBeNull();
    const rerun = await store.db
      .selectFrom('jobs')
      .select(['trigger', 'state'])
      .where('id', '=', legit?.jobId ?? -1)
      .executeTakeFirst();
    expect(rerun).toEqual({ trigger: 'command', state: 'done' });
    const mails = await store.db
      .selectFrom('command_mails')
      .select(['message_id', 'state', 'reason'])
      .orderBy('id')
      .execute();
    expect(mails.map((m) => [m.message_id, m.state])).toEqual([
      ['poison-undisclosed@example.net', 'recorded'],
      ['poison-broken@example.net', 'recorded'],
      ['poison-self@example.net', 'ignored'],
      ['legit@example.org', 'answered'],
    ]);
    expect(mails[0]?.reason).toContain('no usable address');
    expect(mails[2]?.reason).toContain("the bot's own address");
    await store.close();

    // One mail answers the legitimate command; nothing goes to the poison senders.
    const outbox = path.join(dir, 'outbox', 'new');
    const sent = readdirSync(outbox).map((f) => readFileSync(path.join(outbox, f), 'utf8'));
    const answers = sent.filter((m) => /^X-Daxbot-Result: command-/m.test(m));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toContain('In-Reply-To: <legit@example.org>');
    expect(answers[0]).toContain('To: Bob Reviewer <bob@example.org>');
    expect(sent.some((m) => /poison-/.test(m))).toBe(false);

    // `daxbot status` shows the mails that were recorded without an answer, with the reason.
    const status = daxbot(config, ['status', '--json']);
    expect(status.status, status.stderr).toBe(0);
    const json = JSON.parse(status.stdout) as { commandMails: { messageId: string; state: string }[] };
    expect(json.commandMails.map((m) => [m.messageId, m.state])).toEqual([
      ['poison-self@example.net', 'ignored'],
      ['poison-broken@example.net', 'recorded'],
      ['poison-undisclosed@example.net', 'recorded'],
    ]);
  }, 240_000);
});
