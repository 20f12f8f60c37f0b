/** One bar of a {@link barChart}. */
export interface Bar {
  label: string;
  value: number;
}

const esc = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A horizontal bar chart as inline SVG (no script needed). The table beside
 * it carries the same numbers for people who read rather than look.
 */
export function barChart(id: string, bars: Bar[], unit = ''): string {
  if (bars.length === 0) return '';
  const shown = bars.slice(0, 20);
  const max = Math.max(...shown.map((b) => b.value), 1);
  const row = 22;
  const labelW = 260;
  const barW = 420;
  const rows = shown.map((b, i) => {
    const w = Math.max(1, Math.round((b.value / max) * barW));
    const y = i * row;
    const value = `${b.value.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit}`;
    return `<g transform="translate(0,${y})"><text x="${labelW - 8}" y="15" text-anchor="end">${esc(b.label)}</text><rect x="${labelW}" y="3" width="${w}" height="${row - 6}" rx="2"></rect><text x="${labelW + w + 6}" y="15">${esc(value)}</text></g>`;
  });
  const height = shown.length * row;
  return `<svg class="bars" id="${esc(id)}" viewBox="0 0 ${labelW + barW + 120} ${height}" width="100%" style="max-width:${labelW + barW + 120}px" role="img">${rows.join('')}</svg>`;
}
