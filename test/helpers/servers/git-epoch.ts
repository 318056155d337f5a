import { execFileSync } from 'node:child_process';

export type EpochCommit = { add: string | Buffer } | { remove: true };

/**
 * Appends commits to a public-inbox-style epoch (a bare repo; creates it) with one `git fast-import`
 * run, so tests can build epochs of thousands of messages in well under a second.
 * `{add}` writes the blob `m`; `{remove}` deletes it, like a spam removal.
 */
export function appendToEpoch(gitDir: string, commits: EpochCommit[], startTime = 1_700_000_000): void {
  execFileSync('git', ['init', '--quiet', '--bare', gitDir]);
  let hasHead = true;
  try {
    execFileSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', 'refs/heads/master'], {
      stdio: 'ignore',
    });
  } catch {
    hasHead = false;
  }
  const parts: Buffer[] = [];
  commits.forEach((c, i) => {
    const when = startTime + i;
    const msg = Buffer.from('add' in c ? 'm' : 'remove');
    parts.push(
      Buffer.from(`commit refs/heads/master\ncommitter T <t@example.com> ${when} +0000\ndata ${msg.length}\n`),
      msg,
      Buffer.from('\n'),
    );
    if (i === 0 && hasHead) parts.push(Buffer.from('from refs/heads/master^0\n'));
    if ('add' in c) {
      const blob = Buffer.isBuffer(c.add) ? c.add : Buffer.from(c.add);
      parts.push(Buffer.from(`M 100644 inline m\ndata ${blob.length}\n`), blob, Buffer.from('\n'));
    } else {
      parts.push(Buffer.from('D m\n'));
    }
    parts.push(Buffer.from('\n'));
  });
  execFileSync('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { input: Buffer.concat(parts) });
  execFileSync('git', ['--git-dir', gitDir, 'symbolic-ref', 'HEAD', 'refs/heads/master']);
}
