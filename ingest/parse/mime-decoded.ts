/** What the MIME layer hands to field extraction, whichever path decoded the mail. */

/** One unfolded-but-raw header line as mailsplit keeps it ('binary' string, folds joined by CRLF). */
export interface HeaderLine {
  /** Lower-cased field name ('' for a line without a colon). */
  key: string;
  line: string;
}

export interface DecodedMail {
  /** mailparser's processed header map of the root part (decoded words, parsed addresses). */
  headers: Map<string, unknown>;
  headerLines: HeaderLine[];
  /** The text/plain content (mailparser's `text`), '' when there is none. */
  text: string;
  /** Decoded text/x-patch, text/x-diff or `*.patch`/`*.diff` attachments, in order. */
  patchParts: string[];
  /** Which decoder produced this, for the agreement test and the benchmark. */
  path: 'fast' | 'full';
}
