/**
 * The real console/KTAP parsers and symbolizer (runners/parse/), loaded lazily by the runner.
 */
import { analyzeConsole } from '../parse/console.ts';
import { parseKtap } from '../parse/ktap.ts';
import { SymbolCache, symbolizeFinding } from '../parse/symbolize.ts';
import type { Parsers } from './analyze.ts';
import type { Symbolize } from './kernel-run.ts';

export const defaultParsers: Parsers = { analyzeConsole: (log) => analyzeConsole(log), parseKtap };
/** One cache for the process: a crash repeated on the same build is symbolized once. */
const symbols = new SymbolCache();
export const defaultSymbolize: Symbolize = (finding, vmlinux, tree) =>
  symbolizeFinding(finding, vmlinux, tree, { cache: symbols });
