// A small live line chart in SVG, built element by element: series names are route ids and go in
// as text nodes only, so a chart can never carry markup from the data it plots.

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#4b5563'];
const WIDTH = 560;
const HEIGHT = 220;
const MIN_SPAN_MS = 30 * 1000;
const PAD = { left: 44, right: 12, top: 10, bottom: 24 };

function el(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes || {})) node.setAttribute(k, String(v));
  return node;
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour12: false });
}

export class LineChart {
  /**
   * @param container the element to draw in; @param unit shown after the values
   * @param step whether values hold until the next point (a gauge read now and then), else interpolated
   */
  constructor(container, unit, windowMs, step) {
    this.container = container;
    this.unit = unit;
    this.windowMs = windowMs;
    this.step = step;
    this.series = new Map();
  }

  /** Adds a point to a series; null is a gap (nothing to plot in that interval). */
  add(name, time, value) {
    let points = this.series.get(name);
    // A series starts with its first value: a route whose meters outlived it is not drawn as all gaps.
    if (!points && value === null) return;
    if (!points) this.series.set(name, points = []);
    points.push({ time, value });
    while (points.length && points[0].time < time - this.windowMs) points.shift();
  }

  /** Drops series that have had no point for the whole window. */
  prune(now) {
    for (const [name, points] of this.series) {
      if (!points.length || points[points.length - 1].time < now - this.windowMs) this.series.delete(name);
    }
  }

  clear() {
    this.series.clear();
  }

  draw(now) {
    // The time axis grows with the data up to the window, so a freshly opened page is not one thin edge.
    let first = now;
    for (const points of this.series.values()) if (points.length) first = Math.min(first, points[0].time);
    const span = Math.min(this.windowMs, Math.max(MIN_SPAN_MS, now - first));
    const start = now - span;
    let max = 0;
    for (const points of this.series.values()) for (const p of points) if (p.value !== null) max = Math.max(max, p.value);
    max = niceMax(max);
    const x = (t) => PAD.left + ((t - start) / span) * (WIDTH - PAD.left - PAD.right);
    const y = (v) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);

    const svg = el('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', class: 'chart-svg' });
    const title = el('title');
    title.textContent = this.container.dataset.title || '';
    svg.append(title);
    svg.append(el('line', { x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0), class: 'axis' }));
    svg.append(el('line', { x1: PAD.left, y1: y(max), x2: WIDTH - PAD.right, y2: y(max), class: 'grid' }));
    const top = el('text', { x: PAD.left - 4, y: y(max) + 4, 'text-anchor': 'end', class: 'tick' });
    top.textContent = `${max}${this.unit}`;
    const zero = el('text', { x: PAD.left - 4, y: y(0) + 4, 'text-anchor': 'end', class: 'tick' });
    zero.textContent = '0';
    const left = el('text', { x: PAD.left, y: HEIGHT - 6, class: 'tick' });
    left.textContent = clock(start);
    const right = el('text', { x: WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end', class: 'tick' });
    right.textContent = clock(now);
    svg.append(top, zero, left, right);

    const legend = document.createElement('ul');
    legend.className = 'legend';
    let index = 0;
    for (const [name, points] of [...this.series.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const colour = COLOURS[index++ % COLOURS.length];
      let path = '';
      let pen = null;
      points.forEach((p, i) => {
        if (p.value === null) { pen = null; return; }
        if (pen && this.step) path += `L${x(p.time).toFixed(1)},${y(pen.value).toFixed(1)}`;
        path += `${pen ? 'L' : 'M'}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`;
        // A value with gaps on both sides has no line to be part of; a dot shows it.
        const next = points[i + 1];
        if (!pen && (!next || next.value === null)) {
          svg.append(el('circle', { cx: x(p.time).toFixed(1), cy: y(p.value).toFixed(1), r: 3, fill: colour }));
        }
        pen = p;
      });
      if (path) svg.append(el('path', { d: path, stroke: colour, class: 'line' }));
      // The latest value, or the latest before a gap: latency has none in an interval without requests.
      const known = points.filter((p) => p.value !== null);
      const last = known.length ? known[known.length - 1].value : null;
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.backgroundColor = colour;
      const label = document.createElement('span');
      label.textContent = `${name}: ${last === null ? '–' : format(last)}${last === null ? '' : this.unit}`;
      item.append(swatch, label);
      legend.append(item);
    }
    if (!this.series.size) {
      const empty = el('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'tick' });
      empty.textContent = 'no data yet';
      svg.append(empty);
    }
    this.container.replaceChildren(svg, legend);
  }
}

function format(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}
