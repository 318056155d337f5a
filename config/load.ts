/**
 * Reading the configuration: `unknown → schema → {config, warnings} | {errors}`. Errors are lines
 * "<key path>: <problem>". Every command refuses a configuration with errors (exit 2) and
 * `daxbot config check` prints them (exit 1). Without a file, the configuration is
 * config/default.yaml: the built-in defaults and that file are one and the same.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { cronErrors, pathErrors, unknownKeys } from './check.ts';
import { repoRoot } from './repo-root.ts';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.ts';

export type ConfigResult =
  | { ok: true; config: Config; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

/** The file read when no configuration is named (--config, DAXBOT_CONFIG). */
export const DEFAULT_CONFIG_FILE = path.join(repoRoot, 'config', 'default.yaml');

/** Keys whose values must come from the environment; a literal in the file is refused. */
const SECRET_KEY = /(password|secret|token|apikey|api_key)$/i;

function findSecrets(value: unknown, path: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const here = [...path, k];
    if (SECRET_KEY.test(k) && typeof v === 'string')
      out.push(`${here.join('.')}: secrets are read from the environment; use ${k}Env: NAME`);
    out.push(...findSecrets(v, here));
  }
  return out;
}

/** The scalar the document holds at a key path, for error messages ("got ..."). */
function valueAt(doc: unknown, at: (string | number)[]): unknown {
  let v = doc;
  for (const k of at)
    v = v !== null && typeof v === 'object' ? Object.entries(v).find(([key]) => key === String(k))?.[1] : undefined;
  return v;
}

/** zod's issues as error lines; unknown keys are left to `unknownKeys`, which names each. */
function schemaErrors(input: unknown, issues: z.ZodIssue[]): string[] {
  return issues
    .filter((i) => i.code !== 'unrecognized_keys')
    .map((i) => {
      const v = valueAt(input, i.path);
      const last = String(i.path[i.path.length - 1] ?? '');
      const scalar = ['string', 'number', 'boolean'].includes(typeof v);
      const got = scalar && !SECRET_KEY.test(last) ? ` (got ${JSON.stringify(v)})` : '';
      return `${i.path.join('.') || '(root)'}: ${i.message}${got}`;
    });
}

function warningsFor(config: Config, env: NodeJS.ProcessEnv): string[] {
  const warnings: string[] = [];
  for (const s of config.sources) {
    if (s.kind === 'imap' && !env[s.passwordEnv])
      warnings.push(`sources.${s.name}: environment variable ${s.passwordEnv} is not set`);
    if (s.kind === 'lore-http' && !s.url.endsWith('/')) warnings.push(`sources.${s.name}: url should end with "/"`);
  }
  if (config.sources.length === 0)
    warnings.push('sources: none configured; only `daxbot ingest --mbox` will bring mail in');
  if (config.runners.length === 0) warnings.push('runners: none configured; series are assembled but not tested');
  if (config.mail.smtp && config.mail.smtp.user && !env[config.mail.smtp.passwordEnv])
    warnings.push(`mail.smtp: environment variable ${config.mail.smtp.passwordEnv} is not set`);
  if (config.dashboard && !env[config.dashboard.tokenEnv])
    warnings.push(
      `dashboard: environment variable ${config.dashboard.tokenEnv} is not set; re-runs from the dashboard are refused`,
    );
  if (config.mail.maintainers.length === 0)
    warnings.push('mail.maintainers: empty; privileged mail commands are refused for everyone');
  return warnings;
}

/** unknown → schema → {config, warnings} | {errors}. Pure: no I/O (paths are checked by loadConfig). */
export function parseConfig(input: unknown, env: NodeJS.ProcessEnv = {}): ConfigResult {
  const doc = input ?? {};
  const parsed = configSchema.safeParse(doc);
  const errors = [
    ...findSecrets(doc),
    ...unknownKeys(configSchema, doc),
    ...(parsed.success ? cronErrors(parsed.data) : schemaErrors(doc, parsed.error.issues)),
  ];
  if (!parsed.success) return { ok: false, errors, warnings: [] };
  const names = parsed.data.sources.map((s) => s.name);
  for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    errors.push(`sources: duplicate name ${dup}`);
  if (errors.length > 0) return { ok: false, errors, warnings: [] };
  return { ok: true, config: parsed.data, warnings: warningsFor(parsed.data, env) };
}

/**
 * Reads YAML from disk (config/default.yaml when no file is given), validates it and checks the
 * paths it names, relative to `configDir` (default: the file's folder).
 */
export function loadConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  configDir?: string,
): ConfigResult {
  const source = file ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${source}: ${(err as Error).message}`], warnings: [] };
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message : String(err);
    return { ok: false, errors: [`${source}: YAML: ${msg}`], warnings: [] };
  }
  const result = parseConfig(data ?? {}, env);
  if (!result.ok) return result;
  const missing = pathErrors(result.config, configDir ?? path.dirname(path.resolve(source)));
  return missing.length > 0 ? { ok: false, errors: missing, warnings: result.warnings } : result;
}
