/**
 * Whether a verdict is mailed at all. Failures the series caused are always reported; a pass
 * only when configured (mail.replyOnPass); machinery failures never, since the author can do
 * nothing about them and the job is retried.
 */
import type { MailConfig } from '../../config/schema.ts';
import type { Verdict } from '../judge/verdict.ts';

export function shouldReply(verdict: Pick<Verdict, 'outcome'>, mail: Pick<MailConfig, 'replyOnPass'>): boolean {
  switch (verdict.outcome) {
    case 'regression':
    case 'apply-failed':
    case 'build-failed':
      return true;
    case 'pass':
    case 'pre-existing-only':
      return mail.replyOnPass;
    case 'infra':
      return false;
  }
}
