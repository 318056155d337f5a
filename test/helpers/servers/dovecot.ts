import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, hasBinary, waitFor } from './binaries.ts';

/** Dovecot (Debian package `dovecot-imapd`) can be started. */
export const dovecotAvailable = hasBinary('dovecot') || existsSync('/usr/sbin/dovecot');
const dovecotBin = hasBinary('dovecot') ? 'dovecot' : '/usr/sbin/dovecot';

export interface RunningDovecot {
  host: string;
  port: number;
  root: string;
  log(): string;
  stop(): Promise<void>;
}

function uidOf(user: string): number | null {
  try {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

const running = new Set<() => void>();
// Kill servers even when the test process ends abruptly (a failed hook, Ctrl-C).
process.once('exit', () => {
  for (const kill of running) kill();
});

/**
 * Starts a private dovecot on 127.0.0.1:<free port>: plaintext login allowed (loopback only),
 * passwd-file users, maildirs in a temp folder. As root the mail processes run as `nobody` with
 * dovecot's own login users; otherwise everything runs as the current user.
 */
export async function startDovecot(users: Array<{ user: string; pass: string }>): Promise<RunningDovecot> {
  const root = mkdtempSync(join(tmpdir(), 'daxbot-dovecot-'));
  chmodSync(root, 0o755);
  const mailRoot = join(root, 'mail');
  mkdirSync(join(root, 'run'), { recursive: true });
  mkdirSync(mailRoot);
  chmodSync(mailRoot, 0o777);
  const port = await freePort();
  const me = userInfo();
  const asRoot = me.uid === 0;
  const mailUid = asRoot ? (uidOf('nobody') ?? 65534) : me.uid;
  const mailGid = asRoot ? mailUid : me.gid;
  const loginUser = asRoot ? 'dovenull' : me.username;
  const internalUser = asRoot ? 'dovecot' : me.username;
  writeFileSync(
    join(root, 'users'),
    users.map((u) => `${u.user}:{PLAIN}${u.pass}:${mailUid}:${mailGid}::${join(mailRoot, u.user)}::\n`).join(''),
  );
  const conf = join(root, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${join(root, 'run')}
state_dir = ${join(root, 'run', 'state')}
log_path = ${join(root, 'dovecot.log')}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(root, 'users')}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${join(root, 'users')}
}
mail_location = maildir:${mailRoot}/%u
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  const child = spawn(dovecotBin, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  running.add(kill);
  const readLog = (): string => {
    try {
      return readFileSync(join(root, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(kill);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`dovecot exited: ${stderr} ${readLog()}`);
        return new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('data', (d) => {
            socket.destroy();
            resolve(d.toString().startsWith('* OK'));
          });
          socket.once('error', () => resolve(false));
        });
      },
      20_000,
      'dovecot greeting',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: '127.0.0.1', port, root, log: readLog, stop };
}
