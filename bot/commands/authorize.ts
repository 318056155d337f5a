/**
 * Who may do what (policy in ./README.md). `authorize` is pure: the DKIM result, the history
 * of earlier commands and the clock are inputs. `verifyDkim` is the I/O edge; its DNS
 * resolver is injected so tests serve their own keys.
 */
import { authenticate, type DNSResolver } from 'mailauth';
import type { Command } from './parse.ts';

export interface DkimVerdict {
  /** At least one signature passed whose domain is aligned with the From domain. */
  pass: boolean;
  /** Domains of the passing signatures. */
  domains: string[];
  /** The From domain as the verifier read it. */
  fromDomain: string | null;
  /** Summary for the decision record: "pass (intel.com)", "fail (body hash did not verify)". */
  detail: string;
}

export interface CommandDecision {
  command: string;
  allowed: boolean;
  reason: string;
}

export interface AuthorizeContext {
  /** The From address of the command mail. */
  from: string;
  dkim: DkimVerdict;
  /** config mail.maintainers */
  maintainers: string[];
  /** Times (ms) of earlier allowed non-privileged commands for the same series version. */
  recent: number[];
  now: number;
  /** Non-privileged commands per series version per window. */
  limit?: number;
  windowMs?: number;
}

const DAY = 24 * 60 * 60 * 1000;

export function isPrivileged(cmd: Command): boolean {
  if (cmd.kind === 'unrelated' || cmd.kind === 'invalid') return true;
  if (cmd.kind === 'test') return cmd.base !== undefined || cmd.repeat !== undefined;
  return false;
}

function addressOf(mailbox: string): string {
  const m = /<([^<>]*)>\s*$/.exec(mailbox);
  return (m?.[1] ?? mailbox).trim().toLowerCase();
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Relaxed alignment (DMARC): the signing domain is the From domain or a parent of it. */
function aligned(signing: string, fromDomain: string): boolean {
  const s = signing.toLowerCase();
  return fromDomain === s || fromDomain.endsWith(`.${s}`);
}

export function authorize(cmd: Command, ctx: AuthorizeContext): CommandDecision {
  const from = addressOf(ctx.from);
  const maintainer = ctx.maintainers.map((m) => addressOf(m)).includes(from);
  const dkimOk = ctx.dkim.pass && ctx.dkim.domains.some((d) => aligned(d, domainOf(from)));
  const decide = (allowed: boolean, reason: string): CommandDecision => ({ command: cmd.line, allowed, reason });
  if (isPrivileged(cmd)) {
    if (!maintainer)
      return decide(
        false,
        `${from} is not on the maintainer list; only maintainers may use "${cmd.kind}" with these arguments (anyone may ask for "#daxbot retest")`,
      );
    if (!dkimOk)
      return decide(false, `mail from maintainer ${from} did not pass DKIM for its domain: ${ctx.dkim.detail}`);
    return decide(true, `maintainer ${from}, DKIM ${ctx.dkim.detail}`);
  }
  // A verified maintainer is never rate-limited; everyone else shares the budget.
  if (maintainer && dkimOk) return decide(true, `maintainer ${from}, DKIM ${ctx.dkim.detail}`);
  const limit = ctx.limit ?? 3;
  const windowMs = ctx.windowMs ?? DAY;
  const inWindow = ctx.recent.filter((t) => t > ctx.now - windowMs && t <= ctx.now).sort((a, b) => a - b);
  if (inWindow.length >= limit) {
    const oldest = inWindow[inWindow.length - limit] ?? ctx.now;
    const next = new Date(oldest + windowMs).toISOString();
    return decide(
      false,
      `rate limit: ${limit} re-tests per series version per day; the next one is possible after ${next}`,
    );
  }
  return decide(true, `anyone may re-test (${inWindow.length + 1} of ${limit} today)`);
}

/** The decision record for a line that did not parse. */
export function refuseUnparsed(line: string, error: string): CommandDecision {
  return { command: line, allowed: false, reason: error };
}

/**
 * Verifies the DKIM signatures of a raw message. Only DKIM matters for commands: SPF,
 * ARC and BIMI describe the last hop, which for list mail is the list server, not the sender.
 */
export async function verifyDkim(raw: Buffer | string, opts: { resolver?: DNSResolver } = {}): Promise<DkimVerdict> {
  const res = await authenticate(raw, {
    resolver: opts.resolver,
    disableArc: true,
    disableBimi: true,
    disableDmarc: true,
    mta: 'daxbot',
  });
  const fromDomain = res.dkim.headerFrom[0] ? domainOf(res.dkim.headerFrom[0]) : null;
  const passing = res.dkim.results.filter((r) => r.status.result === 'pass');
  const domains = passing.map((r) => r.signingDomain.toLowerCase());
  const alignedDomains = fromDomain ? domains.filter((d) => aligned(d, fromDomain)) : [];
  if (alignedDomains.length > 0)
    return { pass: true, domains, fromDomain, detail: `pass (${alignedDomains.join(', ')})` };
  const first = res.dkim.results[0];
  const detail =
    res.dkim.results.length === 0 || first?.status.result === 'none'
      ? 'none (no signature)'
      : passing.length > 0
        ? `pass for ${domains.join(', ')} but not aligned with ${fromDomain ?? 'the From domain'}`
        : `${first?.status.result ?? 'fail'}${first?.status.comment ? ` (${first.status.comment})` : ''}`;
  return { pass: false, domains, fromDomain, detail };
}
