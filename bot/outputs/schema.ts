/**
 * The `outputs:` section of the configuration: a list of outputs, each of a registered kind
 * (registry.ts) with its own schema. Imported by config/schema.ts; imports only the schemas.
 */
import { z } from 'zod';
import { githubOutputSchema } from './github/schema.ts';
import { kcidbOutputSchema } from './kcidb/schema.ts';
import { patchworkOutputSchema } from './patchwork/schema.ts';

export const outputConfigSchema = z.discriminatedUnion('kind', [
  patchworkOutputSchema,
  kcidbOutputSchema,
  githubOutputSchema,
]);

export type OutputConfig = z.infer<typeof outputConfigSchema>;

/** An output's name: its own, or its kind. */
export function outputName(o: Pick<OutputConfig, 'kind' | 'name'>): string {
  return o.name ?? o.kind;
}

export const outputsSchema = z
  .array(outputConfigSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((o, i) => {
      const name = outputName(o);
      if (seen.has(name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two outputs named ${name}: give one a name` });
      seen.add(name);
    });
  });

function isLoopback(url: string): boolean {
  try {
    return /^(localhost|127\.[\d.]+|\[::1\])$/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * What would make the outputs useless: a token variable that is not set (every post would be
 * refused), a loopback dashboard address (the links they post would open nothing elsewhere).
 */
export function outputWarnings(outputs: OutputConfig[], env: NodeJS.ProcessEnv, dashboardUrl: string): string[] {
  const warnings = outputs
    .filter((o) => !env[o.tokenEnv])
    .map((o) => `outputs.${outputName(o)}: environment variable ${o.tokenEnv} is not set; nothing is posted`);
  if (outputs.length > 0 && isLoopback(dashboardUrl))
    warnings.push(`outputs: they link to ${dashboardUrl}; set mail.dashboardUrl to the dashboard's public address`);
  return warnings;
}
