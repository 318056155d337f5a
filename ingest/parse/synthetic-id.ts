import { createHash } from 'node:crypto';

/**
 * The id of a mail that has no Message-ID: derived from its bytes, so the same mail seen twice
 * (a re-poll, a second source) gets the same id. The parser and the store both need it; it lives
 * alone so the store does not load the parser.
 */
export function syntheticId(raw: Buffer): string {
  return `daxbot-${createHash('sha256').update(raw).digest('hex').slice(0, 24)}@synthetic`;
}
