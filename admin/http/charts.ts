// Chart geometry for server-rendered SVG (no client library): pure functions from counts to
// rectangles; the templates only draw them.
export interface Datum {
  label: string;
  value: number;
}

export interface ColumnChart {
  width: number;
  height: number;
  baseline: number;
  max: number;
  bars: { x: number; y: number; w: number; h: number; label: string; value: number; labelX: number }[];
  gridlines: { y: number; value: number }[];
}

/** A niced maximum (1, 2, 5 × 10^n) so gridlines fall on round numbers. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (value <= m * exp) return m * exp;
  return 10 * exp;
}

export function columnChart(data: readonly Datum[], width = 900, height = 230): ColumnChart {
  const top = 12;
  const bottom = 28;
  const left = 40;
  const baseline = height - bottom;
  const max = niceMax(Math.max(0, ...data.map((d) => d.value)));
  const slot = (width - left) / Math.max(1, data.length);
  const w = Math.max(4, slot * 0.64);
  const bars = data.map((d, i) => {
    const h = Math.round(((baseline - top) * d.value) / max);
    const x = Math.round(left + i * slot + (slot - w) / 2);
    return { x, y: baseline - h, w: Math.round(w), h, label: d.label, value: d.value, labelX: Math.round(x + w / 2) };
  });
  const gridlines = [0, 0.5, 1].map((f) => ({ y: Math.round(baseline - (baseline - top) * f), value: Math.round(max * f) }));
  return { width, height, baseline, max, bars, gridlines };
}

export interface BarChart {
  width: number;
  height: number;
  rows: { y: number; w: number; label: string; value: number; valueX: number }[];
  barX: number;
}

/** Horizontal bars with labels on the left (long Indonesian category names fit). */
export function barChart(data: readonly Datum[], width = 460, rowHeight = 24): BarChart {
  const barX = Math.round(width * 0.42);
  const room = width - barX - 48;
  const max = Math.max(1, ...data.map((d) => d.value));
  const rows = data.map((d, i) => {
    const w = d.value === 0 ? 0 : Math.max(2, Math.round((room * d.value) / max));
    return { y: i * rowHeight, w, label: d.label, value: d.value, valueX: barX + w + 6 };
  });
  return { width, height: Math.max(rowHeight, data.length * rowHeight), rows, barX };
}
