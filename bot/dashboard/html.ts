/**
 * HTML building with escaping by default. Everything shown on the dashboard that came from mail
 * (subjects, names, titles, console logs) was written by strangers, so a value is escaped unless
 * it is already `Html` built by this module: forgetting to escape is impossible, not just rare.
 */

/** Markup that is safe to emit as is: only this module's template tag and `raw` make it. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function render(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** Tagged template: literal parts are markup, interpolated values are escaped (arrays joined). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup the caller vouches for (constants only: never pass data through here). */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** A path segment: a version key holds "/" and "#", which must not split or end the URL. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
