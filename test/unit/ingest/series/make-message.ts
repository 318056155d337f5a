import { parseSubject } from '../../../../ingest/parse/subject.ts';
import type { ParsedMessage } from '../../../../ingest/parse/types.ts';

export interface MessageSpec {
  id: string;
  subject: string;
  from?: string;
  date?: string | null;
  irt?: string | null;
  refs?: string[];
  body?: string;
  diff?: boolean | string;
  trailers?: Array<[string, string]>;
  changeId?: string;
  baseCommit?: string;
  hasDiffstat?: boolean;
}

let clock = Date.parse('2024-01-01T00:00:00Z');

/** A hand-built ParsedMessage; dates advance a minute per message unless given. */
export function msg(spec: MessageSpec): ParsedMessage {
  clock += 60_000;
  const from = spec.from ?? 'Alice Dev <alice@example.com>';
  const m = /^(.*?)\s*<([^>]+)>$/.exec(from);
  const diff =
    spec.diff === true
      ? `diff --git a/f-${spec.id}.c b/f-${spec.id}.c\n--- a/f-${spec.id}.c\n+++ b/f-${spec.id}.c\n@@ -1 +1 @@\n-a\n+${spec.id}\n`
      : typeof spec.diff === 'string'
        ? spec.diff
        : null;
  return {
    messageId: spec.id,
    inReplyTo: spec.irt ?? null,
    references: spec.refs ?? (spec.irt ? [spec.irt] : []),
    from: { name: m?.[1] ?? '', address: m?.[2] ?? from },
    to: [],
    cc: [],
    date: spec.date === undefined ? new Date(clock).toISOString() : spec.date,
    subject: parseSubject(spec.subject),
    listId: null,
    body: spec.body ?? 'Some text.\n',
    diff,
    files: [],
    trailers: (spec.trailers ?? []).map(([name, value]) => ({ name, value })),
    baseCommit: spec.baseCommit ?? null,
    prerequisitePatchIds: [],
    prerequisiteMessageIds: [],
    changeId: spec.changeId ?? null,
    ...(spec.hasDiffstat === undefined ? {} : { hasDiffstat: spec.hasDiffstat }),
  };
}

/** A cover + n patches thread (shallow threading). */
export function series(
  prefix: string,
  n: number,
  opts: { rev?: number; cover?: boolean; irt?: string; from?: string; project?: string } = {},
): ParsedMessage[] {
  const v = opts.rev && opts.rev > 1 ? ` v${opts.rev}` : '';
  const proj = opts.project ? `${opts.project} ` : '';
  const out: ParsedMessage[] = [];
  const coverId = `${prefix}-0`;
  if (opts.cover !== false) {
    out.push(
      msg({
        id: coverId,
        subject: `[${proj}PATCH${v} 0/${n}] ${prefix} work`,
        irt: opts.irt ?? null,
        from: opts.from,
        hasDiffstat: true,
      }),
    );
  }
  for (let k = 1; k <= n; k++) {
    const parent = opts.cover !== false ? coverId : k === 1 ? (opts.irt ?? null) : `${prefix}-1`;
    out.push(
      msg({
        id: `${prefix}-${k}`,
        subject: `[${proj}PATCH${v} ${k}/${n}] ${prefix} change ${k}`,
        irt: parent,
        diff: true,
        from: opts.from,
      }),
    );
  }
  return out;
}
