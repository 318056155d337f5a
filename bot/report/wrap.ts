/**
 * Plain-text layout for replies: mailing lists read them in 80-column terminals and quote
 * them with "> ", so every line stays within 75 columns.
 */
export const WIDTH = 75;

/** Word-wraps prose; words longer than the width are broken rather than left overlong. */
export function wrapProse(text: string, indent = '', width = WIDTH, firstIndent = indent): string[] {
  if (indent.length > width - 10 || firstIndent.length > width - 10) throw new RangeError('indent too wide');
  const lines: string[] = [];
  let cur = firstIndent;
  let has = false;
  const flush = (): void => {
    lines.push(cur);
    cur = indent;
    has = false;
  };
  for (let word of text.split(/\s+/).filter(Boolean)) {
    if (has && cur.length + 1 + word.length > width) flush();
    while (cur.length + (has ? 1 : 0) + word.length > width) {
      const room = width - cur.length - (has ? 1 : 0);
      if (room < 1) {
        flush();
        continue;
      }
      cur += (has ? ' ' : '') + word.slice(0, room);
      word = word.slice(room);
      has = true;
      flush();
    }
    if (word) {
      cur += (has ? ' ' : '') + word;
      has = true;
    }
  }
  if (has || lines.length === 0) lines.push(cur);
  return lines;
}

/**
 * Breaks a line that must keep its meaning (a trace frame, a log line): it is cut at the
 * width and every continuation is indented deeper, so a reader never mistakes a continuation
 * for a new frame.
 */
export function hardWrap(line: string, continuation = '    ', width = WIDTH): string[] {
  const clean = line.replace(/\s+$/, '');
  if (clean.length <= width) return [clean];
  const lead = /^\s*/.exec(clean)?.[0] ?? '';
  const contIndent = (lead + continuation).slice(0, Math.max(0, width - 20));
  const out: string[] = [];
  let rest = clean;
  let first = true;
  while (rest.length > 0) {
    const room = first ? width : width - contIndent.length;
    let cut = rest.length <= room ? rest.length : room;
    if (rest.length > room) {
      // Prefer a break at a space in the last third of the line.
      const space = rest.lastIndexOf(' ', room);
      if (space > room * 0.66) cut = space;
    }
    const piece = rest.slice(0, cut).replace(/\s+$/, '');
    out.push(first ? piece : contIndent + piece.replace(/^\s+/, ''));
    rest = rest.slice(cut).replace(/^\s+/, '');
    first = false;
  }
  return out;
}

/**
 * A shell command as lines joined by " \\", each within the width. A word too long for an
 * indented continuation goes on a less indented one; a word too long even for that is split
 * with a backslash-newline, which the shell removes even inside an unquoted word.
 */
/** Cuts text at spaces into pieces of at most `room` characters (a longer word stays whole). */
function quotedPieces(text: string, room: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  for (const word of text.split(/(?<= )/)) {
    if (cur !== '' && cur.length + word.length > room) {
      pieces.push(cur);
      cur = '';
    }
    cur += word;
  }
  pieces.push(cur);
  return pieces;
}

export function shellLines(argv: (string | { raw: string })[], indent = '  ', width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  const cont = `${indent}    `;
  // { raw } words are shell syntax (a redirection, a pipe) and are not quoted.
  for (const w of argv.map((a) => (typeof a === 'string' ? shellQuote(a) : a.raw))) {
    if (line === '') {
      line = indent + w;
      continue;
    }
    if (line.length + 1 + w.length + 2 <= width) {
      line += ` ${w}`;
      continue;
    }
    lines.push(`${line} \\`);
    if (cont.length + w.length + 2 <= width) line = cont + w;
    else if (indent.length + w.length + 2 <= width) line = indent + w;
    else if (w.startsWith("'") && w.endsWith("'") && w.length > 2 && !w.slice(1, -1).includes("'")) {
      // A long quoted word (QEMU's -append): adjacent quoted pieces joined by a line
      // continuation are one shell word, as long as the next piece starts its line unindented.
      const pieces = quotedPieces(w.slice(1, -1), width - indent.length - 3);
      pieces.forEach((p, i) => {
        if (i < pieces.length - 1) lines.push(`${i === 0 ? indent : ''}'${p}'\\`);
      });
      line = `${pieces.length === 1 ? indent : ''}'${pieces[pieces.length - 1] ?? ''}'`;
    } else if (w.startsWith("'")) line = indent + w;
    else {
      let rest = w;
      let pre = indent;
      while (pre.length + rest.length + 2 > width) {
        const room = width - pre.length - 1;
        lines.push(`${pre}${rest.slice(0, room)}\\`);
        rest = rest.slice(room);
        pre = '';
      }
      line = pre + rest;
    }
  }
  lines.push(line);
  return lines;
}

export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Two columns, the first padded; the second wraps under itself. An empty label continues a field. */
export function field(label: string, value: string, indent = '  ', labelWidth = 10): string[] {
  const head = `${indent}${(label ? `${label}:` : '').padEnd(labelWidth)}`;
  return wrapProse(value, ' '.repeat(head.length), WIDTH, head);
}

/**
 * "Label: <url>" on one line when it fits, else the URL alone on the next line: a URL is
 * never broken, so it stays clickable and copyable even when it exceeds the width.
 */
export function urlField(label: string, url: string): string[] {
  const one = `${label}: ${url}`;
  return one.length <= WIDTH ? [one] : [`${label}:`, `  ${url}`];
}
