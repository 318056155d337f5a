/**
 * Lenient readers for the JSON the pipeline stores (series versions, verdicts, run results).
 * The store is ours, but the text inside came from mail and the shapes evolve while other parts
 * of the bot change: the dashboard parses only what it shows and degrades to "unknown" instead
 * of trusting a cast.
 */
import { z } from 'zod';

const address = z
  .object({ name: z.string().catch(''), address: z.string().catch('') })
  .catch({ name: '', address: '' });

export const storedPatchSchema = z.object({
  counter: z.number().catch(0),
  messageId: z.string().catch(''),
  subject: z.string().catch(''),
  from: address,
});

export const storedVersionSchema = z.object({
  patches: z.array(storedPatchSchema).catch([]),
  missing: z.array(z.number()).catch([]),
  isRfc: z.boolean().catch(false),
  baseCommit: z.string().nullable().catch(null),
});
export type StoredVersion = z.infer<typeof storedVersionSchema>;

const sideCount = z.object({
  runs: z.number(),
  pass: z.number(),
  fail: z.number(),
  skip: z.number(),
  absent: z.number().catch(0),
});

const finding = z.object({
  title: z.string(),
  type: z.string().catch('other'),
  rip: z.string().nullable().catch(null),
  trace: z.array(z.string()).catch([]),
  symbolized: z.array(z.string()).optional().catch(undefined),
  process: z.string().nullable().optional().catch(undefined),
  report: z.string().catch(''),
});
export type StoredFinding = z.infer<typeof finding>;

export const verdictEntrySchema = z.object({
  kind: z.enum(['test', 'crash']).catch('test'),
  key: z.string(),
  suite: z.string().catch(''),
  name: z.string().catch(''),
  class: z.string(),
  base: sideCount,
  series: sideCount,
  agreement: z.string().catch(''),
  reason: z.string().optional().catch(undefined),
  excerpt: z.string().optional().catch(undefined),
  finding: finding.optional().catch(undefined),
  unrelatedMark: z
    .object({ title: z.string(), markedBy: z.string(), markedAt: z.string() })
    .optional()
    .catch(undefined),
});
export type StoredVerdictEntry = z.infer<typeof verdictEntrySchema>;

const bisectStep = z.object({
  k: z.number(),
  result: z.string(),
  note: z.string().optional().catch(undefined),
  subject: z.string().optional().catch(undefined),
});

export const storedBisectionSchema = z.object({
  n: z.number(),
  steps: z.array(bisectStep).catch([]),
  firstBad: z.number().nullable().catch(null),
  candidates: z.array(z.number()).catch([]),
});
export type StoredBisection = z.infer<typeof storedBisectionSchema>;

const applyFailure = z.object({
  base: z.string().catch(''),
  reason: z.string().catch(''),
  failedPatch: z.number().optional().catch(undefined),
  conflictFiles: z.array(z.string()).optional().catch(undefined),
  output: z.string().optional().catch(undefined),
});

const diagnostic = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number().optional(),
  severity: z.string(),
  message: z.string(),
});

export const storedVerdictSchema = z.object({
  outcome: z.string(),
  summary: z.string().catch(''),
  entries: z.array(verdictEntrySchema).catch([]),
  baseRuns: z.number().catch(0),
  seriesRuns: z.number().catch(0),
  infraRuns: z.object({ base: z.number(), series: z.number() }).catch({ base: 0, series: 0 }),
  environmentProblems: z.array(verdictEntrySchema).catch([]),
  applyFailure: applyFailure.optional().catch(undefined),
  buildErrors: z.array(diagnostic).optional().catch(undefined),
  /** The series builds but not at every patch (judge/per-patch.ts). */
  notBisectable: z
    .object({
      n: z.number(),
      broken: z.number(),
      fixedBy: z.number(),
      errors: z.array(diagnostic).catch([]),
      note: z.string().catch(''),
    })
    .optional()
    .catch(undefined),
  notCounted: z
    .array(z.object({ title: z.string(), kind: z.string(), markedBy: z.string(), markedAt: z.string() }))
    .optional()
    .catch(undefined),
});
export type StoredVerdict = z.infer<typeof storedVerdictSchema>;

/** What a job writes into jobs.verdict (jobs/group-plan.ts verdictRecordJson). */
export const storedJobVerdictSchema = z.object({
  verdict: storedVerdictSchema,
  bisection: storedBisectionSchema.nullable().catch(null),
  base: z.string().nullable().catch(null),
  baseReason: z.string().catch(''),
  suites: z.array(z.string()).catch([]),
});
export type StoredJobVerdict = z.infer<typeof storedJobVerdictSchema>;

const testResult = z.object({
  suite: z.string().catch(''),
  name: z.string().catch(''),
  status: z.string().catch('unknown'),
  reason: z.string().optional().catch(undefined),
  excerpt: z.string().optional().catch(undefined),
});

/** The parts of a recorded RunResult the run page shows. */
export const storedRunResultSchema = z.object({
  runner: z.string().catch(''),
  base: z.string().nullable().catch(null),
  head: z.string().nullable().catch(null),
  configHash: z.string().nullable().catch(null),
  booted: z.boolean().catch(false),
  tests: z.array(testResult).catch([]),
  findings: z.array(finding).catch([]),
  failureClass: z.string().catch('unknown'),
  summary: z.string().catch(''),
  consoleLog: z.string().nullable().catch(null),
  build: z
    .object({
      ok: z.boolean(),
      errors: z.array(diagnostic).catch([]),
      outputExcerpt: z.string().optional().catch(undefined),
    })
    .nullable()
    .catch(null),
  apply: z
    .object({ ok: z.boolean(), attempts: z.array(applyFailure.extend({ ok: z.boolean().catch(false) })).catch([]) })
    .nullable()
    .catch(null),
});
export type StoredRunResult = z.infer<typeof storedRunResultSchema>;

/** JSON.parse that never throws: a damaged row shows as missing data, not a 500. */
export function parseStored<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, text: string | null | undefined): T | null {
  if (!text) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const r = schema.safeParse(data);
  return r.success ? r.data : null;
}
