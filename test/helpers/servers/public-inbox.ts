import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, hasBinary, waitFor } from './binaries.ts';

/** public-inbox (Debian package `public-inbox`) is there: init, mda and httpd. */
export const publicInboxAvailable = ['public-inbox-init', 'public-inbox-mda', 'public-inbox-httpd', 'git'].every(
  hasBinary,
);

export interface TestInbox {
  /** Temp folder holding everything (HOME, PI_CONFIG, the inbox). */
  root: string;
  /** The v2 inbox dir (holds git/0.git, ...). */
  inboxDir: string;
  name: string;
  address: string;
  env: NodeJS.ProcessEnv;
  /** Delivers one message like the list's MTA would (public-inbox-mda, spam check off). */
  deliver(raw: string | Buffer): void;
  /** Removes the temp folder. */
  remove(): void;
}

/** Creates a v2 inbox with real public-inbox-init in a temp folder (HOME and PI_CONFIG private to it). */
export function createTestInbox(name = 'test'): TestInbox {
  const root = mkdtempSync(join(tmpdir(), 'daxbot-pi-'));
  const home = join(root, 'home');
  mkdirSync(home);
  const inboxDir = join(root, name);
  const address = `${name}@example.com`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    PI_CONFIG: join(root, 'pi-config'),
    ORIGINAL_RECIPIENT: address,
  };
  execFileSync('public-inbox-init', ['-V2', name, inboxDir, `http://example.com/${name}`, address], {
    env,
    stdio: 'pipe',
  });
  execFileSync('git', ['config', '-f', join(root, 'pi-config'), 'publicinboxmda.spamcheck', 'none'], { env });
  return {
    root,
    inboxDir,
    name,
    address,
    env,
    deliver(raw) {
      execFileSync('public-inbox-mda', ['--no-precheck'], { env, input: raw, stdio: ['pipe', 'pipe', 'pipe'] });
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A test message addressed to the inbox. */
export function testMail(
  inbox: { address: string },
  id: string,
  options: { subject?: string; inReplyTo?: string; date?: Date } = {},
): string {
  const date = (options.date ?? new Date(Date.UTC(2024, 0, 1, 12, 0, 0))).toUTCString().replace('GMT', '+0000');
  return [
    'From: Alice Example <alice@example.com>',
    `To: ${inbox.address}`,
    `Subject: ${options.subject ?? `message ${id}`}`,
    `Message-ID: <${id}@example.com>`,
    ...(options.inReplyTo
      ? [`In-Reply-To: <${options.inReplyTo}@example.com>`, `References: <${options.inReplyTo}@example.com>`]
      : []),
    `Date: ${date}`,
    '',
    `body of ${id}`,
    'From the start of a line (mboxrd quotes this)',
    '',
  ].join('\n');
}

export interface RunningHttpd {
  /** Base URL of the inbox, with a trailing slash: http://127.0.0.1:PORT/<name>/ */
  inboxUrl: string;
  baseUrl: string;
  stop(): Promise<void>;
}

/** Starts real public-inbox-httpd on 127.0.0.1:<free port> serving the inbox; `stop` kills it. */
export async function startPublicInboxHttpd(inbox: TestInbox): Promise<RunningHttpd> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('public-inbox-httpd', ['-l', `${baseUrl}/`], {
    env: inbox.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`public-inbox-httpd exited: ${stderr}`);
        try {
          const res = await fetch(`${baseUrl}/${inbox.name}/new.atom`);
          return res.ok;
        } catch {
          return false;
        }
      },
      20_000,
      'public-inbox-httpd',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { inboxUrl: `${baseUrl}/${inbox.name}/`, baseUrl, stop };
}
