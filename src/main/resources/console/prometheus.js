// Reads the Prometheus text format (version 0.0.4) that /actuator/prometheus serves, and keeps a short
// history of scrapes so the console can show increases and rates over a window, as PromQL's
// increase() would, without a Prometheus server.

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/** Every sample of a scrape: {name, labels, value}. Lines that do not parse are skipped. */
export function parse(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseLine(line);
    if (sample) samples.push(sample);
  }
  return samples;
}

function parseLine(line) {
  NAME.lastIndex = 0;
  const name = NAME.exec(line);
  if (!name) return null;
  let i = NAME.lastIndex;
  const labels = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') { i++; break; }
      LABEL.lastIndex = i;
      const label = LABEL.exec(line);
      if (!label || line[LABEL.lastIndex] !== '=' || line[LABEL.lastIndex + 1] !== '"') return null;
      i = LABEL.lastIndex + 2;
      // Label values are client-influenced (Pomelo route names): unescape exactly, never evaluate.
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) return null;
        if (c === '"') { i++; break; }
        if (c === '\\') {
          const next = line[i + 1];
          value += next === 'n' ? '\n' : next;
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      labels[label[0]] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const value = number(rest[0]);
  return Number.isNaN(value) && rest[0] !== 'NaN' ? null : { name: name[0], labels, value };
}

function number(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** A scrape indexed by series: name -> list of {labels, value}. */
export class Scrape {
  constructor(time, samples) {
    this.time = time;
    this.byName = new Map();
    for (const sample of samples) {
      let list = this.byName.get(sample.name);
      if (!list) this.byName.set(sample.name, list = []);
      list.push(sample);
    }
  }

  series(name) {
    return this.byName.get(name) || [];
  }

  names() {
    return [...this.byName.keys()];
  }
}

/** Scrapes of the last `windowMs`, newest last. */
export class History {
  constructor(windowMs) {
    this.windowMs = windowMs;
    this.scrapes = [];
  }

  add(scrape) {
    this.scrapes.push(scrape);
    // Keep one scrape at or before the window's start, so increases cover the whole window.
    while (this.scrapes.length > 2 && this.scrapes[1].time <= scrape.time - this.windowMs) this.scrapes.shift();
  }

  latest() {
    return this.scrapes[this.scrapes.length - 1];
  }

  previous() {
    return this.scrapes.length > 1 ? this.scrapes[this.scrapes.length - 2] : null;
  }

  oldest() {
    return this.scrapes[0];
  }

  /** How much of the window the history covers, in ms. */
  span() {
    return this.scrapes.length ? this.latest().time - this.oldest().time : 0;
  }

  clear() {
    this.scrapes = [];
  }
}

/** Identity of a series within a name, from the labels given (all when omitted). */
export function key(labels, names) {
  const keys = names || Object.keys(labels).sort();
  return JSON.stringify(keys.map((k) => [k, labels[k] === undefined ? null : labels[k]]));
}

/**
 * Increase of a counter from scrape `from` to scrape `to`, summed by the labels `by`: a Map from key(by)
 * to {labels, increase, total}. A counter that went down was reset (a restart), so its whole value
 * counts, as in PromQL.
 */
export function increase(from, to, name, by) {
  const before = new Map();
  if (from) for (const s of from.series(name)) before.set(key(s.labels), s.value);
  const result = new Map();
  for (const s of to.series(name)) {
    const old = before.get(key(s.labels));
    const delta = old === undefined ? (from ? s.value : 0) : (s.value >= old ? s.value - old : s.value);
    const k = key(s.labels, by);
    let entry = result.get(k);
    if (!entry) {
      const labels = {};
      for (const b of by) labels[b] = s.labels[b];
      result.set(k, entry = { labels, increase: 0, total: 0 });
    }
    entry.increase += delta;
    entry.total += s.value;
  }
  return result;
}

/**
 * The q-quantile of histogram buckets (Map le -> count, cumulative), interpolated linearly inside
 * the bucket as histogram_quantile() does; null without observations.
 */
export function quantile(q, buckets) {
  const sorted = [...buckets.entries()].map(([le, count]) => [number(le), count]).sort((a, b) => a[0] - b[0]);
  if (!sorted.length) return null;
  const total = sorted[sorted.length - 1][1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound;
      return lowerBound + (le - lowerBound) * ((rank - lowerCount) / Math.max(count - lowerCount, 1e-12));
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
