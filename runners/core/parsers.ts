/**
 * The real console/KTAP parsers and symbolizer (runners/parse/), loaded lazily by the runner.
 */
import { analyzeConsole } from '../parse/console.ts';
import { parseKtap } from '../parse/ktap.ts';
import { symbolizeFinding } from '../parse/symbolize.ts';
import type { Parsers } from './analyze.ts';

export const defaultParsers: Parsers = { analyzeConsole: (log) => analyzeConsole(log), parseKtap };
export const defaultSymbolize = symbolizeFinding;
