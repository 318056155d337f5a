import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { outputWarnings } from '../bot/outputs/schema.ts';
import { configSchema, type Config } from './schema.ts';

export type ConfigResult =
  | { ok: true; config: Config; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

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

/** unknown → schema → {config, warnings} | {errors}. Pure: no I/O. */
export function parseConfig(input: unknown, env: NodeJS.ProcessEnv = {}): ConfigResult {
  const warnings: string[] = [];
  const secrets = findSecrets(input);
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success || secrets.length > 0) {
    const errors = [
      ...secrets,
      ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
    ];
    return { ok: false, errors, warnings };
  }
  const config = parsed.data;
  const names = new Set<string>();
  for (const s of config.sources) {
    if (names.has(s.name)) return { ok: false, errors: [`sources: duplicate name ${s.name}`], warnings };
    names.add(s.name);
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
  warnings.push(...outputWarnings(config.outputs, env, config.mail.dashboardUrl));
  if (config.mail.maintainers.length === 0)
    warnings.push('mail.maintainers: empty; privileged mail commands are refused for everyone');
  return { ok: true, config, warnings };
}

/** Reads YAML from disk (or the defaults when no file is given) and validates it. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  if (!file) return parseConfig({}, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${file}: ${(err as Error).message}`], warnings: [] };
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message : String(err);
    return { ok: false, errors: [`${file}: YAML: ${msg}`], warnings: [] };
  }
  return parseConfig(data ?? {}, env);
}
