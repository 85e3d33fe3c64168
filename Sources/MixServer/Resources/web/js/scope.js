// The scope of the final mix: its waveform, a goniometer (left/right turned 45°: mid up, side
// across) whose points fade over a third of a second of elapsed time, and the correlation meter
// (−1 to +1, red below 0, with a marker at the lowest seen).

import { fitCanvas, unit } from './scale.js';

const persistenceS = 0.35;

export class ScopeView {
  constructor(canvas) {
    this.canvas = canvas;
    this.trail = document.createElement('canvas');
    this.lastPaint = null;
    this.lowestCorrelation = 1;
    this.plotted = null;
  }

  reset() {
    this.lowestCorrelation = 1;
    const g = this.trail.getContext('2d');
    g.clearRect(0, 0, this.trail.width, this.trail.height);
  }

  draw(frame, now) {
    const { context: g, width, height } = fitCanvas(this.canvas);
    g.clearRect(0, 0, width, height);
    const meterHeight = 26;
    const area = height - meterHeight - 6;
    const gonioSize = Math.min(area, width * 0.45);
    const waveWidth = width - gonioSize - 12;
    // The final scope once the render writes the mix; the blend's (pre-master) before.
    const scope = frame && frame.scope ? (frame.complete ? frame.scope.final : frame.scope.pre) : null;
    // The waveform.
    g.fillStyle = '#10141a';
    g.fillRect(0, 0, waveWidth, area);
    g.fillStyle = '#242b35';
    g.fillRect(0, Math.round(area / 2), waveWidth, 1);
    if (scope) {
      g.strokeStyle = '#5cb8ff';
      g.lineWidth = 1;
      g.beginPath();
      const points = scope.waveform.length;
      for (let i = 0; i < points; i += 1) {
        const x = (i / (points - 1)) * waveWidth;
        const y = area / 2 - (scope.waveform[i] / 127) * (area / 2 - 2);
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      }
      g.stroke();
    }
    // The goniometer, with persistence by elapsed time.
    const gx = waveWidth + 12;
    const ratio = window.devicePixelRatio || 1;
    const size = Math.round(gonioSize * ratio);
    if (this.trail.width !== size) {
      this.trail.width = size;
      this.trail.height = size;
    }
    const trail = this.trail.getContext('2d');
    const dt = this.lastPaint === null ? 1 : Math.max(0, (now - this.lastPaint) / 1000);
    this.lastPaint = now;
    trail.globalCompositeOperation = 'destination-out';
    trail.fillStyle = `rgba(0, 0, 0, ${1 - Math.exp(-dt / persistenceS)})`;
    trail.fillRect(0, 0, size, size);
    trail.globalCompositeOperation = 'source-over';
    // Each frame's points are plotted once, then fade.
    if (scope && frame !== this.plotted) {
      this.plotted = frame;
      trail.fillStyle = '#7ee081';
      const half = size / 2;
      for (let i = 0; i < scope.mid.length; i += 1) {
        // Mid up, side across: a signal only in L lies on the upper-left diagonal, under "L".
        const x = half - (scope.side[i] / 127) * half * 0.98;
        const y = half - (scope.mid[i] / 127) * half * 0.98;
        trail.fillRect(x, y, ratio, ratio);
      }
    }
    g.fillStyle = '#10141a';
    g.fillRect(gx, 0, gonioSize, gonioSize);
    g.strokeStyle = '#242b35';
    g.beginPath();
    g.moveTo(gx + gonioSize / 2, 0); g.lineTo(gx + gonioSize / 2, gonioSize);
    g.moveTo(gx, gonioSize / 2); g.lineTo(gx + gonioSize, gonioSize / 2);
    g.moveTo(gx, 0); g.lineTo(gx + gonioSize, gonioSize);
    g.moveTo(gx + gonioSize, 0); g.lineTo(gx, gonioSize);
    g.stroke();
    g.drawImage(this.trail, gx, 0, gonioSize, gonioSize);
    g.fillStyle = '#aab4c0';
    g.font = '10px system-ui, sans-serif';
    g.textBaseline = 'top';
    g.textAlign = 'center';
    g.fillText('M', gx + gonioSize / 2 + 8, 2);
    g.fillText('L', gx + 8, 2);
    g.fillText('R', gx + gonioSize - 8, 2);
    // The correlation meter.
    const top = height - meterHeight;
    const correlation = scope ? scope.correlation : null;
    if (correlation !== null && frame !== this.lastCorrelationFrame) {
      this.lastCorrelationFrame = frame;
      this.lowestCorrelation = Math.min(this.lowestCorrelation, correlation);
    }
    g.fillStyle = '#10141a';
    g.fillRect(0, top, width, 12);
    const x = (value) => unit(value, -1, 1) * width;
    if (correlation !== null) {
      g.fillStyle = correlation < 0 ? '#ff6b6b' : '#7ee081';
      const from = x(0), to = x(correlation);
      g.fillRect(Math.min(from, to), top, Math.abs(to - from), 12);
      g.fillStyle = '#ffc857';
      g.fillRect(x(this.lowestCorrelation) - 1, top, 2, 12);
    }
    g.fillStyle = '#e9edf2';
    g.fillRect(Math.round(x(0)), top - 2, 1, 16);
    g.fillStyle = '#aab4c0';
    g.textBaseline = 'top';
    g.textAlign = 'left';
    g.fillText('−1', 0, top + 14);
    g.textAlign = 'center';
    g.fillText(correlation === null ? 'correlation' : `correlation ${correlation.toFixed(2)}`, width / 2, top + 14);
    g.textAlign = 'right';
    g.fillText('+1', width, top + 14);
  }
}
