/**
 * Commands in mail bodies. A command is a line of its own that starts with "#daxbot";
 * quoted lines ("> ...") and the signature are ignored, so quoting the bot's own reply (which
 * mentions "#daxbot retest") never triggers anything. A line that starts with "#daxbot" but
 * cannot be understood is an error that gets answered, not silently dropped.
 */

export type Command =
  | { kind: 'test'; suites: string[]; base?: string; repeat?: number; line: string }
  | { kind: 'retest'; line: string }
  | { kind: 'unrelated'; crashTitle: string; line: string }
  | { kind: 'invalid'; line: string };

export interface CommandError {
  line: string;
  /** 1-based line in the body. */
  lineNumber: number;
  error: string;
}

export interface ParsedCommands {
  commands: Command[];
  errors: CommandError[];
}

export interface ParseOptions {
  /** Suite names the runners know; unknown names are errors. Absent: any well-formed name. */
  suites?: string[];
  /** Upper bound for "repeat N". */
  maxRepeat?: number;
}

const KNOWN = ['test', 'retest', 'unrelated', 'invalid'];
const SUITE = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
// A commit id, tag or branch name; "-" first would read as an option, ".." as a range.
const REV = /^(?!-)(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/^~+-]{0,99}$/;

export function parseCommands(body: string, opts: ParseOptions = {}): ParsedCommands {
  const commands: Command[] = [];
  const errors: CommandError[] = [];
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw === '-- ') break;
    if (/^\s*>/.test(raw)) continue;
    const m = /^\s*#daxbot(?:\s+(.*))?$/i.exec(raw);
    if (!m) continue;
    const line = raw.trim();
    const result = parseLine((m[1] ?? '').trim(), line, opts);
    if ('error' in result) errors.push({ line, lineNumber: i + 1, error: result.error });
    else commands.push(result);
  }
  return { commands, errors };
}

function parseLine(rest: string, line: string, opts: ParseOptions): Command | { error: string } {
  const words = rest.split(/\s+/).filter(Boolean);
  const verb = words[0]?.toLowerCase();
  if (!verb) return { error: `no command given; known commands: ${KNOWN.join(', ')}` };
  const args = words.slice(1);
  switch (verb) {
    case 'retest':
      return args.length
        ? { error: `"retest" takes no arguments (got "${args.join(' ')}")` }
        : { kind: 'retest', line };
    case 'invalid':
      return args.length
        ? { error: `"invalid" takes no arguments (got "${args.join(' ')}")` }
        : { kind: 'invalid', line };
    case 'unrelated': {
      const title = rest.slice(rest.toLowerCase().indexOf('unrelated') + 'unrelated'.length).trim();
      if (!title)
        return { error: '"unrelated" needs the crash title, e.g. "#daxbot unrelated WARNING in dax_iomap_rw"' };
      if (title.length > 200) return { error: 'the crash title is longer than 200 characters' };
      return { kind: 'unrelated', crashTitle: title, line };
    }
    case 'test':
      return parseTest(args, line, opts);
    default:
      return { error: `unknown command "${words[0]}"; known commands: ${KNOWN.join(', ')}` };
  }
}

function parseTest(args: string[], line: string, opts: ParseOptions): Command | { error: string } {
  const maxRepeat = opts.maxRepeat ?? 10;
  const cmd: { kind: 'test'; suites: string[]; base?: string; repeat?: number; line: string } = {
    kind: 'test',
    suites: [],
    line,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const key = a.toLowerCase();
    if (key === 'base' || key === 'repeat') {
      const value = args[i + 1];
      i += 1;
      if (value === undefined) return { error: `"${key}" needs a value` };
      if (key === 'base') {
        if (cmd.base !== undefined) return { error: '"base" given twice' };
        if (!REV.test(value)) return { error: `"${value}" is not a commit, tag or branch name` };
        cmd.base = value;
      } else {
        if (cmd.repeat !== undefined) return { error: '"repeat" given twice' };
        if (!/^\d+$/.test(value)) return { error: `"repeat" needs a number, got "${value}"` };
        const n = Number(value);
        if (n < 1 || n > maxRepeat) return { error: `"repeat" must be between 1 and ${maxRepeat}` };
        cmd.repeat = n;
      }
      continue;
    }
    if (!SUITE.test(a)) return { error: `"${a}" is not a suite name` };
    if (opts.suites && !opts.suites.includes(a))
      return { error: `unknown suite "${a}"; known suites: ${opts.suites.join(', ')}` };
    if (!cmd.suites.includes(a)) cmd.suites.push(a);
  }
  return cmd;
}
