/**
 * Plots drawn on the server as inline SVG (the CSP allows no script and no inline style: colours
 * come from the stylesheet's classes s0..s5). Pure: a plot's data in, markup out, every label
 * escaped by the html tag. Two kinds: stacked bars (counts per period and category) and lines
 * (a value per period for each series). Axes start at zero; the scale is rounded up to a tidy step.
 */
import { html, type Html } from './html.ts';

const W = 760;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 42 };

export interface StackedBars {
  title: string;
  periods: string[];
  categories: string[];
  /** values[period][category] */
  values: number[][];
  /** The colour class of each category (s0..s5); by position when absent. */
  classes?: string[];
}

export interface Lines {
  title: string;
  unit: string;
  periods: string[];
  series: { name: string; values: (number | null)[] }[];
}

/** 1, 2, 5 × 10^n at or above `max`: the top of the axis. */
export function tidyMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? 10 * p;
}

function frame(title: string, top: number, unit: string, periods: string[], body: Html, legend: Html): Html {
  const plotH = H - PAD.top - PAD.bottom;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = PAD.top + plotH * (1 - f);
    const label = `${Math.round(top * f * 10) / 10}${unit}`;
    return html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/><text x="${PAD.left - 4}" y="${y + 4}" text-anchor="end">${label}</text>`;
  });
  const every = Math.max(1, Math.ceil(periods.length / 12));
  const step = (W - PAD.left - PAD.right) / Math.max(1, periods.length);
  const ticks = periods.map((p, i) =>
    i % every === 0
      ? html`<text x="${PAD.left + step * (i + 0.5)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${p}</text>`
      : '',
  );
  return html`<figure><svg class="plot" viewBox="0 0 ${W} ${H + 20}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title>${grid}<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>${body}${ticks}${legend}</svg></figure>`;
}

function legendOf(names: string[], classes?: string[]): Html {
  return html`${names.map(
    (n, i) =>
      html`<rect class="${classes?.[i] ?? `s${i % 6}`}" x="${PAD.left + i * 120}" y="${H - 10}" width="10" height="10"/><text x="${PAD.left + i * 120 + 14}" y="${H - 1}">${n}</text>`,
  )}`;
}

export function stackedBarsSvg(p: StackedBars): Html {
  const totals = p.values.map((v) => v.reduce((a, b) => a + b, 0));
  const top = tidyMax(Math.max(0, ...totals));
  const plotH = H - PAD.top - PAD.bottom;
  const step = (W - PAD.left - PAD.right) / Math.max(1, p.periods.length);
  const bars = p.values.map((vals, i) => {
    let y = H - PAD.bottom;
    return vals.map((v, c) => {
      if (v <= 0) return '';
      const h = (v / top) * plotH;
      y -= h;
      const label = `${p.periods[i] ?? ''}: ${v} ${p.categories[c] ?? ''}`;
      return html`<rect class="${p.classes?.[c] ?? `s${c % 6}`}" x="${PAD.left + step * i + step * 0.15}" y="${y}" width="${step * 0.7}" height="${h}"><title>${label}</title></rect>`;
    });
  });
  return frame(p.title, top, '', p.periods, html`${bars}`, legendOf(p.categories, p.classes));
}

export function linesSvg(p: Lines): Html {
  const all = p.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = tidyMax(Math.max(0, ...all));
  const plotH = H - PAD.top - PAD.bottom;
  const step = (W - PAD.left - PAD.right) / Math.max(1, p.periods.length);
  const lines = p.series.map((s, i) => {
    const pts = s.values.flatMap((v, k) =>
      v === null ? [] : [`${PAD.left + step * (k + 0.5)},${H - PAD.bottom - (v / top) * plotH}`],
    );
    return html`<polyline class="s${i % 6}" points="${pts.join(' ')}"><title>${s.name}</title></polyline>`;
  });
  return frame(p.title, top, p.unit, p.periods, html`${lines}`, legendOf(p.series.map((s) => s.name)));
}
