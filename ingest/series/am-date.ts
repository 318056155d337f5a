/**
 * The Date header of an am-ready message as `b4 am` writes it: the sender's date read the way
 * Python's email package reads it (email.utils.parsedate_tz) and printed again in RFC 5322 form
 * with a two-digit day (`Wed, 02 Jun 2021 20:18:40 +0800`). The sender's offset is kept; `-0000`
 * or an unknown zone name prints as `-0000`; a date that cannot be read is kept as sent. Pure.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LONG_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september'];
const LONG_MONTHS_2 = ['october', 'november', 'december'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  AST: -400,
  ADT: -300,
  EST: -500,
  EDT: -400,
  CST: -600,
  CDT: -500,
  MST: -700,
  MDT: -600,
  PST: -800,
  PDT: -700,
};

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Offset in minutes east of UTC; null for `-0000` and unknown zones. */
  offset: number | null;
}

function monthIndex(word: string): number {
  const all = [...MONTHS, ...LONG_MONTHS, ...LONG_MONTHS_2];
  const i = all.indexOf(word);
  return i < 0 ? -1 : (i % 12) + 1;
}

/** Python's rules for where each field sits; null when they do not fit. */
function splitFields(value: string): string[] | null {
  let data = value.split(/\s+/).filter((w) => w.length > 0);
  if (data.length === 0) return null;
  const first = data[0] ?? '';
  if (first.endsWith(',') || DAYS.includes(first.toLowerCase())) data.shift();
  else if (first.includes(',')) data[0] = first.slice(first.lastIndexOf(',') + 1);
  if (data.length === 3) {
    const stuff = (data[0] ?? '').split('-');
    if (stuff.length === 3) data = [...stuff, ...data.slice(1)];
  }
  if (data.length === 4) {
    const s = data[3] ?? '';
    let i = s.indexOf('+');
    if (i === -1) i = s.indexOf('-');
    if (i > 0) data.splice(3, 1, s.slice(0, i), s.slice(i));
    else data.push('');
  }
  return data.length < 5 ? null : data.slice(0, 5);
}

function parseTime(tm: string): [number, number, number] | null {
  let parts = tm.split(':');
  if (parts.length === 1 && tm.includes('.')) parts = tm.split('.');
  if (parts.length === 2) parts.push('0');
  if (parts.length !== 3) return null;
  const n = parts.map((p) => (/^\s*[+-]?\d+\s*$/.test(p) ? Number(p) : Number.NaN));
  return n.some(Number.isNaN) ? null : [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0];
}

function parseZone(tz: string): number | null {
  const up = tz.toUpperCase();
  let hhmm: number | null = up in ZONES ? (ZONES[up] ?? null) : null;
  if (hhmm === null && /^[+-]?\d+$/.test(up)) hhmm = Number(up);
  if (hhmm === null || (hhmm === 0 && up.startsWith('-'))) return null;
  const sign = hhmm < 0 ? -1 : 1;
  const abs = Math.abs(hhmm);
  return sign * (Math.floor(abs / 100) * 60 + (abs % 100));
}

/** email.utils._parsedate_tz, field for field. */
export function parseMailDate(value: string): DateParts | null {
  const data = splitFields(value);
  if (!data) return null;
  let [dd = '', mm = '', yy = '', tm = '', tz = ''] = data;
  if (!(dd && mm && yy)) return null;
  let month = monthIndex(mm.toLowerCase());
  if (month < 0) {
    [dd, mm] = [mm, dd.toLowerCase()];
    month = monthIndex(mm);
    if (month < 0) return null;
  }
  if (dd.endsWith(',')) dd = dd.slice(0, -1);
  if (yy.indexOf(':') > 0) [yy, tm] = [tm, yy];
  if (yy.endsWith(',')) {
    yy = yy.slice(0, -1);
    if (!yy) return null;
  }
  if (!/^\d/.test(yy)) [yy, tz] = [tz, yy];
  if (tm.endsWith(',')) tm = tm.slice(0, -1);
  const time = parseTime(tm);
  if (!time || !/^\s*[+-]?\d+\s*$/.test(yy) || !/^\s*[+-]?\d+\s*$/.test(dd)) return null;
  let year = Number(yy);
  if (year < 100) year += year > 68 ? 1900 : 2000;
  return { year, month, day: Number(dd), hour: time[0], minute: time[1], second: time[2], offset: parseZone(tz) };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The date as b4 prints it, or the value as sent when Python would not read it either. */
export function formatAmDate(value: string): string {
  const p = parseMailDate(value);
  if (!p) return value;
  // Python builds a datetime from the fields: out-of-range fields make it give up.
  const days = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  const bad =
    p.year < 1 ||
    p.year > 9999 ||
    p.day < 1 ||
    p.day > days ||
    p.hour > 23 ||
    p.minute > 59 ||
    p.second > 59 ||
    [p.hour, p.minute, p.second].some((x) => x < 0) ||
    (p.offset !== null && Math.abs(p.offset) >= 24 * 60);
  if (bad) return value;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][
    new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()
  ];
  const month = (MONTHS[p.month - 1] ?? '').replace(/^./, (c) => c.toUpperCase());
  const zone =
    p.offset === null
      ? '-0000'
      : `${p.offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(p.offset) / 60))}${pad(Math.abs(p.offset) % 60)}`;
  const time = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  return `${weekday ?? ''}, ${pad(p.day)} ${month} ${pad(p.year, 4)} ${time} ${zone}`;
}
