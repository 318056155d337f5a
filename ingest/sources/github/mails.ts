/**
 * A pull request as the mails of a series, so it is assembled, tested and judged like one from
 * the list: a cover letter (the pull request's title and description, `base-commit:` its base)
 * and one patch mail per commit (`git format-patch` text, as GitHub serves a commit's `.patch`).
 * Each new head of a pull request is a new revision (v1, v2, ...). Message-IDs name the
 * repository, the pull request and the head, so a reporter finds the head a result is for
 * (`pullRequestOfMessageId`). Pure.
 */

export interface PullRequestHead {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  author: string;
  headSha: string;
  baseSha: string;
  /** The revision this head is: 1 for the first head daxbot saw, then 2, ... */
  revision: number;
  /** When the head was pushed (the pull request's update time). */
  date: string;
}

export interface PullRequestCommit {
  sha: string;
  /** The commit as `git format-patch` text (GitHub's `application/vnd.github.patch`). */
  patch: string;
}

const DOMAIN = 'github.daxbot';

function messageId(pr: PullRequestHead, k: number): string {
  return `pr${pr.number}-${pr.headSha.slice(0, 12)}-${k}+${pr.owner}+${pr.repo}@${DOMAIN}`;
}

/** The pull request a Message-ID of these mails names, or null for any other mail. */
export function pullRequestOfMessageId(
  id: string,
): { owner: string; repo: string; number: number; headShort: string } | null {
  const m = /^<?pr(\d+)-([0-9a-f]{12})-\d+\+([\w.-]+)\+([\w.-]+)@github\.daxbot>?$/.exec(id);
  if (!m?.[1] || !m[2] || !m[3] || !m[4]) return null;
  return { number: Number(m[1]), headShort: m[2], owner: m[3], repo: m[4] };
}

function prefix(pr: PullRequestHead, k: number, n: number): string {
  return `[PATCH${pr.revision > 1 ? ` v${pr.revision}` : ''} ${k}/${n}]`;
}

function rfc2822(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date(0) : d).toUTCString().replace('GMT', '+0000');
}

function header(name: string, value: string): string {
  return `${name}: ${value.replace(/[\r\n]+/g, ' ')}`;
}

/** The commit's own header lines (From, Date, Subject) and the rest of its patch text. */
function splitPatch(patch: string): { from: string; date: string; subject: string; body: string } {
  const text = patch.replace(/\r\n/g, '\n').replace(/^From [0-9a-f]{40} .*\n/, '');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const field = (name: string): string => {
    const m = new RegExp(`^${name}: (.*(?:\\n[ \\t].*)*)`, 'mi').exec(head);
    return (m?.[1] ?? '').replace(/\n[ \t]+/g, ' ').trim();
  };
  return {
    from: field('From'),
    date: field('Date'),
    subject: field('Subject').replace(/^\[PATCH[^\]]*\]\s*/, ''),
    body,
  };
}

function coverMail(pr: PullRequestHead, n: number): string {
  const lines = [
    header('From', `${pr.author} <${pr.author}@users.noreply.github.com>`),
    header('Date', rfc2822(pr.date)),
    header('Subject', `${prefix(pr, 0, n)} ${pr.title}`),
    header('Message-ID', `<${messageId(pr, 0)}>`),
    header('To', `${pr.owner}/${pr.repo} <pull-requests@${pr.owner}.${pr.repo}.${DOMAIN}>`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    pr.body.replace(/\r\n/g, '\n').trim(),
    '',
    `Pull request: https://github.com/${pr.owner}/${pr.repo}/pull/${pr.number} (head ${pr.headSha})`,
    '',
    `base-commit: ${pr.baseSha}`,
    '',
  ];
  return lines.join('\n');
}

function patchMail(pr: PullRequestHead, c: PullRequestCommit, k: number, n: number): string {
  const p = splitPatch(c.patch);
  const lines = [
    header('From', p.from || `${pr.author} <${pr.author}@users.noreply.github.com>`),
    header('Date', p.date || rfc2822(pr.date)),
    header('Subject', `${prefix(pr, k, n)} ${p.subject}`),
    header('Message-ID', `<${messageId(pr, k)}>`),
    header('In-Reply-To', `<${messageId(pr, 0)}>`),
    header('References', `<${messageId(pr, 0)}>`),
    header('To', `${pr.owner}/${pr.repo} <pull-requests@${pr.owner}.${pr.repo}.${DOMAIN}>`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    p.body,
  ];
  return lines.join('\n');
}

/** The cover letter and one patch mail per commit, in order. */
export function pullRequestMails(pr: PullRequestHead, commits: readonly PullRequestCommit[]): string[] {
  const n = commits.length;
  return [coverMail(pr, n), ...commits.map((c, i) => patchMail(pr, c, i + 1, n))];
}
