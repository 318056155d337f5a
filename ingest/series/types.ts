import type { Address } from '../parse/types.ts';

/** A trailer someone sent in a reply (Reviewed-by, Acked-by, Tested-by ...), as `b4 am` collects it. */
export interface FollowupTrailer {
  name: string;
  value: string;
  /** A ` # for the foo parts` comment or a `[for the foo parts]` line sent with it (b4 keeps both). */
  extinfo?: string | null;
  /** The reply that carried it. */
  fromMessageId: string;
}

export interface SeriesPatch {
  counter: number;
  messageId: string;
  /** Clean subject (prefixes removed). */
  subject: string;
  from: Address;
  date: string | null;
  /** Replies to this patch first, then replies to the cover (they apply to every patch). */
  followupTrailers: FollowupTrailer[];
}

/** One revision (v1, v2, ...) of a series as found in one thread. */
export interface SeriesVersion {
  /**
   * Stable id: `${seriesKey}#v${revision}` (a `.N` suffix tells apart a second thread with the same
   * revision, e.g. a RESEND).
   */
  key: string;
  seriesKey: string;
  revision: number;
  /** 'kernel', or the project prefix, e.g. 'ndctl' from `[ndctl PATCH]`. */
  project: string;
  /** The cover's clean subject, else patch 1's. */
  subject: string;
  /** The cover, else patch 1 (or the lowest patch present). */
  rootMessageId: string;
  coverMessageId: string | null;
  expected: number;
  /** Selected patches, ordered by counter. */
  patches: SeriesPatch[];
  /** Counters 1..expected with no patch. */
  missing: number[];
  complete: boolean;
  isRfc: boolean;
  isResend: boolean;
  author: Address;
  firstDate: string | null;
  lastDate: string | null;
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  prerequisiteMessageIds: string[];
  changeId: string | null;
  /** Some patches were borrowed from the previous revision (a lone `[PATCH v2 3/5]` reply in the v1 thread). */
  partialReroll: boolean;
  threadRootId: string;
}

export interface AssembleOptions {
  /** Rebuild a partially re-sent revision from the previous one, as b4 does by default. */
  partialReroll?: boolean;
  /** Apply trailers sent to the cover letter to every patch (newer b4 does this by default). */
  coverTrailers?: boolean;
  /** Accept person trailers whose address does not match the reply's From (b4 `-S`). */
  sloppyTrailers?: boolean;
  /** Link versions in different threads into one series (history.ts). */
  linkHistory?: boolean;
}
