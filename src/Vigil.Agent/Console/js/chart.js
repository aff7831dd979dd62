// A small SVG line chart of a series (oldest first), with its latest value and the peak.
import { s, number } from './dom.js';

export function lineChart(values, { width = 260, height = 56, unit = 'pps' } = {}) {
  const peak = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 14 - (v / peak) * (height - 20)).toFixed(1)}`);
  const latest = values.length ? values[values.length - 1] : 0;
  return s('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}` },
    s('line', { class: 'axis', x1: 0, y1: height - 14, x2: width, y2: height - 14 }),
    points.length > 1 ? s('polyline', { class: 'line', points: points.join(' ') }) : '',
    s('text', { x: 0, y: height - 2 }, `${number(latest, 1)} ${unit} now`),
    s('text', { x: width, y: height - 2, 'text-anchor': 'end' }, `peak ${number(peak === 1 && Math.max(...values, 0) < 1 ? 0 : peak, 1)}`));
}
