// The causal chain of an incident as an SVG graph: signals in columns by causal depth (the root
// cause on the left), edges labelled with their reason and strength, each node a link to its
// evidence (the process page when the signal names a process).
import { s, time, clip } from './dom.js';

const W = 210, H = 46, GAP_X = 90, GAP_Y = 24, PAD = 16;

export function causalGraph(incident) {
  const timeline = incident['vigil.incident.timeline'];
  const chain = incident['vigil.incident.chain'];
  const rootId = incident['vigil.incident.root_cause'].id;
  const inChain = new Set(chain.flatMap(e => [e.from, e.to]));
  const nodes = timeline.filter(n => n.kind !== 'event' || inChain.has(n.id) || n.id === rootId);
  const byId = new Map(nodes.map(n => [n.id, n]));
  const edges = chain.filter(e => byId.has(e.from) && byId.has(e.to));

  // Depth: one column further right than the deepest signal explaining it (time order = topological).
  const depth = new Map();
  for (const n of nodes) {
    const incoming = edges.filter(e => e.to === n.id && depth.has(e.from));
    depth.set(n.id, incoming.length ? Math.max(...incoming.map(e => depth.get(e.from) + 1)) : 0);
  }
  const rows = new Map();
  const position = new Map();
  for (const n of nodes) {
    const column = depth.get(n.id);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    position.set(n.id, { x: PAD + column * (W + GAP_X), y: PAD + row * (H + GAP_Y) });
  }
  const width = PAD * 2 + (Math.max(0, ...depth.values()) + 1) * (W + GAP_X) - GAP_X;
  const height = PAD * 2 + Math.max(1, ...rows.values()) * (H + GAP_Y) - GAP_Y;

  const svg = s('svg', { id: 'causal-graph', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'causal chain' },
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8a96a3' }))));

  for (const e of edges) {
    const a = position.get(e.from), b = position.get(e.to);
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    const mid = (x1 + x2) / 2;
    svg.append(s('g', { class: 'edge-group' },
      s('path', { class: 'edge', d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`, 'marker-end': 'url(#arrow)' },
        s('title', {}, `${e.reason} (${e.strength})${e.detail ? `: ${e.detail}` : ''}`)),
      s('text', { x: mid, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle' }, `${e.reason} ${e.strength}`)));
  }
  for (const n of nodes) {
    const { x, y } = position.get(n.id);
    const kind = n.kind === 'event' ? 'event' : n.kind === 'sequence' ? 'sequence' : 'finding';
    const href = n['vigil.exec_id'] ? `#/process/${encodeURIComponent(n['vigil.exec_id'])}` : `#/incident/${encodeURIComponent(incident['vigil.incident.id'])}`;
    svg.append(s('a', { href, class: 'node-link', 'data-signal': n.id },
      s('g', { class: `node ${kind}${n.id === rootId ? ' root' : ''}` },
        s('rect', { x, y, width: W, height: H, rx: 6 }),
        s('text', { x: x + 8, y: y + 18 }, clip(n.name, 32)),
        s('text', { x: x + 8, y: y + 35, class: 'muted' }, clip(`${n.id === rootId ? 'root cause · ' : ''}${n.kind} · ${time(n.time)}${n['process.pid'] ? ` · pid ${n['process.pid']}` : ''}`, 36)),
        s('title', {}, `${n.name}\n${n.description ?? ''}\n${n['process.executable.path'] ?? ''}`))));
  }
  return svg;
}
