/** What ingest knows about one message once it is parsed. Raw bytes are stored beside it. */

export interface Address {
  name: string;
  address: string;
}

/** A `Name: value` line from the end of a commit message (or a follow-up reply). */
export interface Trailer {
  name: string; // canonical case, e.g. "Reviewed-by"
  value: string;
}

/** What the subject's bracketed prefixes say. `[ndctl PATCH v3 02/13] foo` → project ndctl, revision 3, 2 of 13. */
export interface SubjectInfo {
  /** The subject as received (RFC 2047 decoded), whitespace folded. */
  raw: string;
  /** The subject with `Re:`/`Fwd:` and every bracketed prefix removed. */
  subject: string;
  /** Starts with Re:/Aw:/Fwd: (a reply, not a patch). */
  isReply: boolean;
  /** Bracketed prefix words, lower-cased, split on whitespace and commas: ["ndctl", "patch", "v3", "02/13"]. */
  prefixes: string[];
  /** Has a PATCH (or RFC) marker. */
  isPatch: boolean;
  isRfc: boolean;
  isResend: boolean;
  /** A prefix word naming another project than the kernel (e.g. "ndctl"), or null. */
  project: string | null;
  /** v2 → 2; 1 when absent. */
  revision: number;
  /** k of k/n; 1 when absent (a single patch). 0 is the cover letter. */
  counter: number;
  /** n of k/n; 1 when absent. */
  expected: number;
}

export interface ParsedMessage {
  /** Without angle brackets. Mails that lack one get a synthetic id (see `syntheticId`). */
  messageId: string;
  inReplyTo: string | null;
  /** Oldest first, without angle brackets. */
  references: string[];
  from: Address;
  to: Address[];
  cc: Address[];
  /** ISO 8601, or null when the Date header is missing or unparseable. */
  date: string | null;
  subject: SubjectInfo;
  listId: string | null;
  /** The commit message part (text before the `---` separator or the diff). */
  body: string;
  /** The unified diff (from the first `diff --git`/`--- a/` line), or null. */
  diff: string | null;
  /** Files the diff touches (b/ side). */
  files: string[];
  trailers: Trailer[];
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  prerequisiteMessageIds: string[];
  changeId: string | null;
  /**
   * The text part has a diffstat (`N files changed, ...`), even where `body` stops before it.
   * Optional: series assembly falls back to looking in `body`. b4 uses it to spot cover letters
   * sent without a `0/N` prefix.
   */
  hasDiffstat?: boolean;
  /**
   * Patchwork hash of `diff`, set when the diff itself was left out to save memory (the store's
   * assembly load keeps the hash, not the text).
   */
  diffHash?: string;
  /** Patch author: the in-body `From:` line when present (git am's rule), else the mail's From. */
  author?: Address;
  /** The commit subject for git am: an in-body `Subject:` when present, else `subject.subject`. */
  commitSubject?: string;
  /** Text between the `---` separator and the diff (diffstat, changelog), or null. */
  notes?: string | null;
  /** Person trailers (`Reviewed-by:` etc.) given in a reply's own text, not in quoted lines. */
  followupTrailers?: Trailer[];
}
