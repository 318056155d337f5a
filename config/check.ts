/**
 * Checks of a configuration beyond the types of its fields, for `loadConfig`:
 * - keys no schema knows, at every level (`mail.form`), found by walking the zod schema beside
 *   the document, so every object schema is strict, also those the runner and source modules add,
 *   without each declaring `.strict()`; with the nearest known key as a hint;
 * - cron expressions (`schedule.process`, each source's `schedule`), as node-cron reads them;
 * - paths that must exist: a tree's `path` (a git repository), an `mbox` source's `path`,
 *   relative to the configuration file's folder as the bot resolves them.
 * Each returns error lines "<key path>: <problem>".
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { validate as validCron } from 'node-cron';
import { z } from 'zod';
import type { Config } from './schema.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The object schemas a value may be checked against (through defaults, optionals, unions). */
function objectSchemas(schema: z.ZodTypeAny, value: Record<string, unknown>): z.AnyZodObject[] {
  if (schema instanceof z.ZodObject) return [schema];
  if (schema instanceof z.ZodDefault) return objectSchemas(schema.removeDefault(), value);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return objectSchemas(schema.unwrap(), value);
  if (schema instanceof z.ZodEffects) return objectSchemas(schema.innerType(), value);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const tag = value[schema.discriminator];
    const known = typeof tag === 'string' || typeof tag === 'number' || typeof tag === 'boolean';
    const option: unknown = known ? schema.optionsMap.get(tag) : undefined;
    return option instanceof z.ZodObject ? [option] : [];
  }
  if (schema instanceof z.ZodUnion) return schema.options.flatMap((o: z.ZodTypeAny) => objectSchemas(o, value));
  if (schema instanceof z.ZodIntersection)
    return [...objectSchemas(schema._def.left, value), ...objectSchemas(schema._def.right, value)];
  if (schema instanceof z.ZodLazy) return objectSchemas(schema.schema, value);
  return [];
}

/** An object declared open (`.passthrough()`, `.catchall()`) takes any key. */
function isOpen(schema: z.AnyZodObject): boolean {
  return schema._def.unknownKeys === 'passthrough' || !(schema._def.catchall instanceof z.ZodNever);
}

function elementSchema(schema: z.ZodTypeAny): z.ZodTypeAny | null {
  if (schema instanceof z.ZodArray) return schema.element;
  if (schema instanceof z.ZodDefault) return elementSchema(schema.removeDefault());
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return elementSchema(schema.unwrap());
  return null;
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b: "form" is 1 from "from". */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i || j));
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  return at(a.length, b.length);
}

function hint(key: string, known: string[]): string {
  const near = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= (key.length < 3 ? 0 : Math.max(1, Math.floor(key.length / 3))))
    .sort((x, y) => x.d - y.d)[0];
  return near ? ` (did you mean ${near.k}?)` : ` (known keys: ${known.join(', ')})`;
}

/** Keys of `doc` that the schema does not define, as "a.b.c: unknown key". */
export function unknownKeys(schema: z.ZodTypeAny, doc: unknown, at: string[] = []): string[] {
  const element = elementSchema(schema);
  if (element && Array.isArray(doc)) return doc.flatMap((v, i) => unknownKeys(element, v, [...at, String(i)]));
  if (!isRecord(doc)) return [];
  const shapes = objectSchemas(schema, doc);
  if (shapes.length === 0 || shapes.some(isOpen)) return [];
  const fields = new Map<string, z.ZodTypeAny>();
  for (const s of shapes) for (const [k, v] of Object.entries<z.ZodTypeAny>(s.shape)) fields.set(k, v);
  return Object.entries(doc).flatMap(([k, v]) => {
    const field = fields.get(k);
    if (!field) return [`${[...at, k].join('.')}: unknown key${hint(k, [...fields.keys()])}`];
    return unknownKeys(field, v, [...at, k]);
  });
}

const CRON_FORMAT = 'five fields: minute hour day-of-month month day-of-week, e.g. "*/5 * * * *"';

/** Cron expressions node-cron would refuse when the scheduler starts. */
export function cronErrors(config: Config): string[] {
  const entries: [string, string][] = [
    ['schedule.process', config.schedule.process],
    ...config.sources.map((s, i): [string, string] => [`sources.${i}.schedule`, s.schedule]),
  ];
  return entries
    .filter(([, expr]) => !validCron(expr))
    .map(([at, expr]) => `${at}: "${expr}" is not a valid cron expression (${CRON_FORMAT})`);
}

/** Paths the configuration names that are not there. */
export function pathErrors(config: Config, configDir: string): string[] {
  const errors: string[] = [];
  config.trees.forEach((t, i) => {
    if (!t.path) return;
    const p = path.resolve(configDir, t.path);
    if (!existsSync(p)) errors.push(`trees.${i}.path: ${p} does not exist`);
    else if (!statSync(p).isDirectory()) errors.push(`trees.${i}.path: ${p} is not a folder (a git repository)`);
    else if (!existsSync(path.join(p, '.git')) && !existsSync(path.join(p, 'HEAD')))
      errors.push(`trees.${i}.path: ${p} is not a git repository`);
  });
  config.sources.forEach((s, i) => {
    if (s.kind !== 'mbox') return;
    const p = path.resolve(configDir, s.path);
    if (!existsSync(p)) errors.push(`sources.${i}.path: ${p} does not exist`);
  });
  return errors;
}
