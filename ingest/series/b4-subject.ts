/**
 * A patch subject's bracketed prefixes read exactly as b4 reads them (LoreSubject), which is
 * what decides the revision and the slot of a patch in `b4 am`: brackets inside brackets are
 * merged (`[RFC[RAP] 1/2]` is `[RFCRAP 1/2]`), `PATCHv2` is `PATCH v2`, words split on white
 * space only, a word `vN` sets the revision (`v2.1`, `RFCv2` and `v5.10` do not), the last `k/n`
 * word sets the slot, and RFC/RESEND/PATCH count when a word starts with them. Pure.
 */

export interface B4Subject {
  /** The prefix words, in order, with surrounding commas and semicolons removed. */
  words: string[];
  counter: number;
  expected: number;
  countersInferred: boolean;
  revision: number;
  revisionInferred: boolean;
  rfc: boolean;
  resend: boolean;
  patch: boolean;
}

/** `[a[b] c]` → `[ab c]`, until nothing changes (b4's "brackets inside brackets"). */
function mergeNestedBrackets(subject: string): string {
  let s = subject;
  for (;;) {
    const next = s.replace(/\[([^\]]*)\[([^[\]]*)\]/g, '[$1$2]').replace(/\[([^\]]*)\]([^[\]]*)\]/g, '[$1$2]');
    if (next === s) return s;
    s = next;
  }
}

/** The prefix words of every leading `[...]` group. */
function prefixWords(subject: string): string[] {
  let s = mergeNestedBrackets(subject);
  const words: string[] = [];
  while (s.startsWith('[')) {
    const m = /^\[([^\]]*)\]/.exec(s);
    if (!m) break;
    const bracketed = (m[1] ?? '').trim().replace(/(patch)(v\d+)/gi, '$1 $2');
    for (const chunk of bracketed.split(/\s+/)) {
      if (chunk) words.push(chunk.replace(/^[,;]+|[,;]+$/g, ''));
    }
    s = s.replace(/^\s*\[[^\]]*\]\s*/, '');
  }
  return words;
}

export function readB4Subject(raw: string): B4Subject {
  const out: B4Subject = {
    words: prefixWords(raw.replace(/\s+/g, ' ').trim()),
    counter: 1,
    expected: 1,
    countersInferred: true,
    revision: 1,
    revisionInferred: true,
    rfc: false,
    resend: false,
    patch: false,
  };
  for (const word of out.words) {
    const kn = /^(\d{1,4})\/(\d{1,4})$/.exec(word);
    const lower = word.toLowerCase();
    if (kn) {
      out.counter = Number(kn[1]);
      out.expected = Number(kn[2]);
      out.countersInferred = false;
    } else if (/^v\d+$/i.test(word)) {
      out.revision = Number(word.slice(1));
      out.revisionInferred = false;
    } else if (lower.startsWith('rfc')) out.rfc = true;
    else if (lower.startsWith('resend')) out.resend = true;
    else if (lower.startsWith('patch')) out.patch = true;
  }
  return out;
}
