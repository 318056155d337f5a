/**
 * Python's `email.utils.parseaddr` as Debian's Python 3.11 runs it (strict mode, the fix for
 * CVE-2023-27043), which is what `b4 am` uses to decide whether a follow-up trailer names its
 * sender. A port of email._parseaddr.AddrlistClass: a value that does not parse as exactly one
 * address (unbalanced parentheses, two addresses, junk such as `<a@b>> ---`) gives ['', ''].
 * Pure.
 */

const SPECIALS = '()<>@,:;."[]';
const LWS = ' \t';
const CR = '\r\n';
const FWS = LWS + CR;
const ATOM_ENDS = SPECIALS + LWS + CR;
const PHRASE_ENDS = ATOM_ENDS.replace('.', '');

export type NameAddress = [name: string, address: string];

class AddressParser {
  pos = 0;
  comments: string[] = [];
  constructor(private readonly field: string) {}

  private at(): string {
    return this.field[this.pos] ?? '';
  }

  private more(): boolean {
    return this.pos < this.field.length;
  }

  /** Skips white space, collecting comments; returns the white space skipped (without CR/LF). */
  next(): string {
    let ws = '';
    while (this.more()) {
      const c = this.at();
      if ((LWS + '\n\r').includes(c)) {
        if (!'\n\r'.includes(c)) ws += c;
        this.pos++;
      } else if (c === '(') this.comments.push(this.comment());
      else break;
    }
    return ws;
  }

  list(): NameAddress[] {
    const out: NameAddress[] = [];
    while (this.more()) {
      const ad = this.address();
      if (ad.length > 0) out.push(...ad);
      else out.push(['', '']);
    }
    return out;
  }

  address(): NameAddress[] {
    this.comments = [];
    this.next();
    const oldPos = this.pos;
    const oldComments = this.comments;
    const plist = this.phraseList();
    this.next();
    let out: NameAddress[] = [];
    const c = this.at();
    if (!this.more()) {
      if (plist.length > 0) out = [[this.comments.join(' '), plist[0] ?? '']];
    } else if (c === '.' || c === '@') {
      this.pos = oldPos;
      this.comments = oldComments;
      const spec = this.addrSpec();
      out = [[this.comments.join(' '), spec]];
    } else if (c === ':') {
      this.pos++;
      while (this.more()) {
        this.next();
        if (this.more() && this.at() === ';') {
          this.pos++;
          break;
        }
        out = [...out, ...this.address()];
      }
    } else if (c === '<') {
      const route = this.routeAddr();
      const name = plist.join(' ');
      out = [[this.comments.length > 0 ? `${name} (${this.comments.join(' ')})` : name, route]];
    } else if (plist.length > 0) {
      out = [[this.comments.join(' '), plist[0] ?? '']];
    } else if (SPECIALS.includes(c)) {
      this.pos++;
    }
    this.next();
    if (this.more() && this.at() === ',') this.pos++;
    return out;
  }

  private routeAddr(): string {
    if (this.at() !== '<') return '';
    let expectRoute = false;
    this.pos++;
    this.next();
    let spec = '';
    while (this.more()) {
      const c = this.at();
      if (expectRoute) {
        this.domain();
        expectRoute = false;
      } else if (c === '>') {
        this.pos++;
        break;
      } else if (c === '@') {
        this.pos++;
        expectRoute = true;
      } else if (c === ':') {
        this.pos++;
      } else {
        spec = this.addrSpec();
        this.pos++;
        break;
      }
      this.next();
    }
    return spec;
  }

  private addrSpec(): string {
    const parts: string[] = [];
    const dropTrailingSpace = (): void => {
      if (parts.length > 0 && (parts[parts.length - 1] ?? '').trim() === '') parts.pop();
    };
    this.next();
    while (this.more()) {
      let keepWs = true;
      const c = this.at();
      if (c === '.') {
        dropTrailingSpace();
        parts.push('.');
        this.pos++;
        keepWs = false;
      } else if (c === '"') {
        parts.push(`"${this.quote().replace(/(["\\])/g, '\\$1')}"`);
      } else if (ATOM_ENDS.includes(c)) {
        dropTrailingSpace();
        break;
      } else parts.push(this.atom(ATOM_ENDS));
      const ws = this.next();
      if (keepWs && ws) parts.push(ws);
    }
    if (!this.more() || this.at() !== '@') return parts.join('');
    parts.push('@');
    this.pos++;
    this.next();
    const domain = this.domain();
    return domain ? parts.join('') + domain : '';
  }

  private domain(): string {
    let out = '';
    while (this.more()) {
      const c = this.at();
      if (LWS.includes(c)) this.pos++;
      else if (c === '(') this.comments.push(this.comment());
      else if (c === '[') out += `[${this.delimited('[', ']\r', false)}]`;
      else if (c === '.') {
        this.pos++;
        out += '.';
      } else if (c === '@') return '';
      else if (ATOM_ENDS.includes(c)) break;
      else out += this.atom(ATOM_ENDS);
    }
    return out;
  }

  private delimited(begin: string, ends: string, allowComments: boolean): string {
    if (this.at() !== begin) return '';
    let out = '';
    let quoted = false;
    this.pos++;
    while (this.more()) {
      const c = this.at();
      if (quoted) {
        out += c;
        quoted = false;
      } else if (ends.includes(c)) {
        this.pos++;
        break;
      } else if (allowComments && c === '(') {
        out += this.comment();
        continue;
      } else if (c === '\\') quoted = true;
      else out += c;
      this.pos++;
    }
    return out;
  }

  private quote(): string {
    return this.delimited('"', '"\r', false);
  }

  private comment(): string {
    return this.delimited('(', ')\r', true);
  }

  private atom(ends: string): string {
    let out = '';
    while (this.more() && !ends.includes(this.at())) {
      out += this.at();
      this.pos++;
    }
    return out;
  }

  private phraseList(): string[] {
    const out: string[] = [];
    while (this.more()) {
      const c = this.at();
      if (FWS.includes(c)) this.pos++;
      else if (c === '"') out.push(this.quote());
      else if (c === '(') this.comments.push(this.comment());
      else if (PHRASE_ENDS.includes(c)) break;
      else out.push(this.atom(PHRASE_ENDS));
    }
    return out;
  }
}

/** Characters with `\` escapes kept together, as email.utils._iter_escaped_chars yields them. */
function escapedChars(s: string): string[] {
  const out: string[] = [];
  let escape = false;
  for (const ch of s) {
    if (escape) {
      out.push(`\\${ch}`);
      escape = false;
    } else if (ch === '\\') escape = true;
    else out.push(ch);
  }
  if (escape) out.push('\\');
  return out;
}

/** Parentheses outside quoted names balance (email.utils._check_parenthesis). */
function balanced(addr: string): boolean {
  let unquoted = addr;
  if (addr.includes('"')) {
    // Text between a pair of quotes goes; an unpaired quote keeps itself and the rest.
    let out = '';
    let quoted: string | null = null;
    for (const ch of escapedChars(addr)) {
      if (ch === '"') quoted = quoted === null ? '' : null;
      else if (quoted === null) out += ch;
      else quoted += ch;
    }
    unquoted = quoted === null ? out : `${out}"${quoted}`;
  }
  let opens = 0;
  for (const ch of escapedChars(unquoted)) {
    if (ch === '(') opens++;
    else if (ch === ')' && --opens < 0) return false;
  }
  return opens === 0;
}

/** All addresses of a header value, as the (lenient) parser sees them. */
export function pyAddressList(value: string): NameAddress[] {
  return value ? new AddressParser(value).list() : [];
}

/** Strict parseaddr: the one address of `value`, or ['', ''] when there is not exactly one. */
export function pyParseAddr(value: string): NameAddress {
  if (!balanced(value)) return ['', ''];
  const list = pyAddressList(value).map((a): NameAddress => (a[1].includes('[') ? ['', ''] : a));
  return list.length === 1 ? (list[0] ?? ['', '']) : ['', ''];
}
