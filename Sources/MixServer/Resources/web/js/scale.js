// Pure meter maths, shared by every painter: dB to pixels, ticks, ballistics by elapsed media
// time (never by repaint count: a replay seeks, and a slow machine paints less often), colours.

/** Maps `value` in [min, max] to [0, 1], clamped. */
export function unit(value, min, max) {
  if (value === null || value === undefined || Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, (value - min) / (max - min)));
}

/** Ticks from `min` to `max` every `step` (inclusive). */
export function ticks(min, max, step) {
  const out = [];
  for (let value = Math.ceil(min / step) * step; value <= max + 1e-9; value += step) out.push(Math.round(value * 100) / 100);
  return out;
}

/** Where `hz` sits on a log axis from `lowHz` to `highHz`, 0…1. */
export function logPosition(hz, lowHz = 20, highHz = 20000) {
  return unit(Math.log10(hz), Math.log10(lowHz), Math.log10(highHz));
}

/**
 * A level meter's ballistics: the bar rises at once and falls at `fallDBPerS`; the peak marker
 * holds `holdS` seconds, then falls at the same rate. Time is the frame's media time (or wall
 * time while a render fast-forwards): a jump backwards or of more than a second resets it.
 */
export class Ballistics {
  constructor({ fallDBPerS = 20, holdS = 2, floorDB = -60 } = {}) {
    this.fallDBPerS = fallDBPerS;
    this.holdS = holdS;
    this.floorDB = floorDB;
    this.reset();
  }

  reset() {
    this.level = this.floorDB;
    this.peak = this.floorDB;
    this.peakAt = -Infinity;
    this.time = null;
  }

  /** Takes a reading (dB, or null for silence) at time `t` (s); returns {level, peak}. */
  update(db, t) {
    const value = db === null || db === undefined ? this.floorDB : Math.max(this.floorDB, db);
    // A seek (a jump back, or ahead by more than a second) starts afresh; a replay nudged a
    // frame back to stay in step with its player does not.
    if (this.time === null || t < this.time - 0.1 || t - this.time > 1) this.reset();
    const dt = this.time === null ? 0 : Math.max(0, t - this.time);
    this.time = t;
    this.level = Math.max(value, this.level - this.fallDBPerS * dt);
    if (value >= this.peak) {
      this.peak = value;
      this.peakAt = t;
    } else if (t - this.peakAt > this.holdS) {
      this.peak = Math.max(value, this.peak - this.fallDBPerS * dt);
    }
    return { level: this.level, peak: this.peak };
  }
}

/** A short history of values over the last `seconds` of media time, for gain-reduction strips. */
export class History {
  constructor(seconds = 4) {
    this.seconds = seconds;
    this.points = [];
  }

  push(t, value) {
    if (this.points.length && t < this.points[this.points.length - 1].t - 0.1) this.points = [];
    this.points.push({ t, value });
    while (this.points.length && this.points[0].t < t - this.seconds) this.points.shift();
  }

  clear() { this.points = []; }
}

/** Distinct colours for tracks, matched between the stem rows and the meters (AA on the dark panels). */
export const trackColours = ['#5cb8ff', '#ffb547', '#7ee081', '#ff7a9a', '#c49bff', '#5fe0d0', '#ffd94a', '#ff9a5c',
  '#9fd3ff', '#e3a8ff', '#b8e986', '#ffb3c7'];

export function trackColour(index) {
  return trackColours[index % trackColours.length];
}

/** Formats a level: "-12.3" or "—" when there is none. */
export function formatDB(value, digits = 1) {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A canvas sized to its box in device pixels; returns its 2D context scaled to CSS pixels. */
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas.getContext('2d');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { context, width: canvas.clientWidth, height: canvas.clientHeight };
}
