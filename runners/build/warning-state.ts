/**
 * The warnings of a whole build folder, not just of the last make. Builds here are incremental:
 * a base run may recompile nothing while the series run recompiles fs/ext4/super.c and prints
 * its old warnings again, so comparing two make outputs would call those "new". Instead each
 * build folder keeps the warnings of every unit as last compiled; a unit that is recompiled
 * replaces its entry. Comparing the folder's state after the base build with its state after
 * the series build gives the warnings the series really added.
 *
 * The state is complete only when it has seen every unit compiled: a build from an empty
 * folder, or a forced rebuild (`make -B`, cheap with a warm ccache, which replays warnings).
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BuildDiagnostic } from '../types.ts';

const diagnosticSchema = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number().optional(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
});

const stateSchema = z.object({
  version: z.literal(1),
  complete: z.boolean(),
  /** Source file -> warnings reported in it when a unit including it was last compiled. */
  byFile: z.record(z.array(diagnosticSchema)),
});

export type WarningState = z.infer<typeof stateSchema>;

export const WARNING_STATE_FILE = '.daxbot-warnings.json';

const KBUILD_COMPILE = /^\s+(?:CC|AS)(?: \[M\])?\s+(\S+)\.o$/;

/** Units make compiled, as source paths relative to the tree ("fs/ext4/super.c"). */
export function compiledUnits(output: string): Set<string> {
  const units = new Set<string>();
  for (const line of output.split('\n')) {
    const m = KBUILD_COMPILE.exec(line.replace(/\r$/, ''));
    if (!m?.[1]) continue;
    units.add(`${m[1]}.c`);
    units.add(`${m[1]}.S`);
  }
  return units;
}

/**
 * The folder's state after a build. `full` says the build compiled every unit (an empty folder
 * or make -B): the state then starts afresh and is complete.
 */
export function nextWarningState(
  prev: WarningState | null,
  output: string,
  warnings: BuildDiagnostic[],
  full: boolean,
): WarningState {
  const byFile: Record<string, BuildDiagnostic[]> = full || !prev ? {} : { ...prev.byFile };
  for (const unit of compiledUnits(output)) delete byFile[unit];
  // Header warnings are reported under the header: this build's view of a file replaces the old.
  const fresh = new Map<string, BuildDiagnostic[]>();
  for (const w of warnings) fresh.set(w.file, [...(fresh.get(w.file) ?? []), w]);
  for (const [file, list] of fresh) byFile[file] = list;
  return { version: 1, complete: full || (prev?.complete ?? false), byFile };
}

export function allWarnings(state: WarningState): BuildDiagnostic[] {
  return Object.keys(state.byFile)
    .sort()
    .flatMap((f) => state.byFile[f] ?? []);
}

export async function readWarningState(buildDir: string): Promise<WarningState | null> {
  const file = path.join(buildDir, WARNING_STATE_FILE);
  if (!existsSync(file)) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    // A torn write from a killed build: start again as unknown.
    return null;
  }
}

export async function writeWarningState(buildDir: string, state: WarningState): Promise<void> {
  const file = path.join(buildDir, WARNING_STATE_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(state));
  // rename is atomic: a kill leaves the old state or the new, never half of one.
  await rename(`${file}.tmp`, file);
}
