// Level and gain-reduction meters: per track the level (RMS bar, sample peak, a peak hold of 2 s,
// falling 20 dB a second by elapsed time) beside its compressor and de-esser gain reduction
// (0 to −24 dB, growing down); then the master's level, bus compressor and limiter; under them a
// few seconds of gain-reduction history.

import { Ballistics, History, fitCanvas, ticks, trackColour, unit } from './scale.js';

const levelRange = { min: -60, max: 0 };
const grRange = 24;
const historyHeight = 54;
const labelHeight = 30;

export class LevelMeters {
  constructor(canvas) {
    this.canvas = canvas;
    this.tracks = [];
    this.master = { level: new Ballistics(), truePeak: new Ballistics() };
    this.history = { bus: new History(4), limiter: new History(4), tracks: [] };
  }

  /** The tracks of a new stream, with the colours of their rows. */
  setTracks(tracks, colours) {
    this.tracks = tracks.map((track, index) => ({
      name: track.name, colour: colours[index] ?? trackColour(index), level: new Ballistics(), peak: new Ballistics(),
    }));
    this.history.tracks = tracks.map(() => new History(4));
    this.resetBallistics();
  }

  resetBallistics() {
    for (const track of this.tracks) { track.level.reset(); track.peak.reset(); }
    this.master.level.reset();
    this.master.truePeak.reset();
    this.history.bus.clear();
    this.history.limiter.clear();
    for (const history of this.history.tracks) history.clear();
  }

  /** Paints `frame` seen at time `t` (s). */
  draw(frame, t) {
    const { context: g, width, height } = fitCanvas(this.canvas);
    g.clearRect(0, 0, width, height);
    const top = 8, bottom = height - historyHeight - labelHeight;
    const scaleWidth = 30;
    const groups = this.tracks.length + 1;
    const groupWidth = Math.max(24, (width - scaleWidth - 8) / Math.max(1, groups));
    this.drawScale(g, scaleWidth, top, bottom);
    if (!frame || !frame.tracks) {
      this.drawEmpty(g, width, top, bottom);
      return;
    }
    frame.tracks.forEach((reading, index) => {
      const track = this.tracks[index];
      if (!track) return;
      const x = scaleWidth + index * groupWidth;
      const level = track.level.update(reading.rms, t);
      const peak = track.peak.update(reading.peak, t);
      this.drawGroup(g, x, groupWidth, top, bottom, track.colour, level.level, peak.level, peak.peak,
        [reading.compressorGR, reading.deEsserGR]);
      this.history.tracks[index].push(t, reading.compressorGR);
      this.drawLabel(g, x, groupWidth, bottom, track.name, track.colour);
    });
    const x = scaleWidth + this.tracks.length * groupWidth;
    const master = frame.master;
    const level = this.master.level.update(master.rms, t);
    const truePeak = this.master.truePeak.update(master.truePeak ?? master.peak, t);
    this.drawGroup(g, x, groupWidth, top, bottom, '#e9edf2', level.level, truePeak.level, truePeak.peak,
      [master.busGR, master.limiterGR]);
    this.drawLabel(g, x, groupWidth, bottom, 'Master', '#e9edf2');
    this.history.bus.push(t, master.busGR);
    this.history.limiter.push(t, master.limiterGR);
    this.drawHistory(g, scaleWidth, width, height - historyHeight + 4, historyHeight - 8, t);
  }

  drawScale(g, scaleWidth, top, bottom) {
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#aab4c0';
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const db of ticks(levelRange.min, levelRange.max, 6)) {
      const y = bottom - unit(db, levelRange.min, levelRange.max) * (bottom - top);
      g.fillText(String(db), scaleWidth - 4, y);
      g.fillStyle = '#242b35';
      g.fillRect(scaleWidth, Math.round(y), 4000, 1);
      g.fillStyle = '#aab4c0';
    }
  }

  drawEmpty(g, width, top, bottom) {
    g.fillStyle = '#aab4c0';
    g.textAlign = 'center';
    g.fillText('meters move when a mix renders or plays', width / 2, (top + bottom) / 2);
  }

  /** One meter group: a level bar and its gain-reduction bars. */
  drawGroup(g, x, groupWidth, top, bottom, colour, rms, peak, hold, reductions) {
    const span = bottom - top;
    const barWidth = Math.max(6, groupWidth * 0.34);
    const grWidth = Math.max(3, groupWidth * 0.14);
    const barX = x + groupWidth * 0.08;
    // The level: green to −18, amber to −6, red above.
    const y = (db) => bottom - unit(db, levelRange.min, levelRange.max) * span;
    const gradient = g.createLinearGradient(0, bottom, 0, top);
    gradient.addColorStop(0, '#2f9e5b');
    gradient.addColorStop(unit(-18, levelRange.min, levelRange.max), '#4fd17e');
    gradient.addColorStop(unit(-6, levelRange.min, levelRange.max), '#ffc857');
    gradient.addColorStop(1, '#ff6b6b');
    g.fillStyle = '#10141a';
    g.fillRect(barX, top, barWidth, span);
    g.fillStyle = gradient;
    g.fillRect(barX, y(rms), barWidth, bottom - y(rms));
    g.fillStyle = colour;
    g.fillRect(barX, y(peak) - 1, barWidth, 2);
    g.fillStyle = hold > -0.1 ? '#ff6b6b' : '#ffffff';
    g.fillRect(barX, y(hold) - 1, barWidth, 2);
    // Gain reduction: 0 at the top, growing down to −24 dB.
    reductions.forEach((reduction, index) => {
      const grX = barX + barWidth + 3 + index * (grWidth + 2);
      g.fillStyle = '#10141a';
      g.fillRect(grX, top, grWidth, span);
      g.fillStyle = index === 0 ? '#ffb547' : '#c49bff';
      g.fillRect(grX, top, grWidth, unit(reduction, 0, grRange) * span);
    });
  }

  drawLabel(g, x, groupWidth, bottom, name, colour) {
    g.fillStyle = colour;
    g.fillRect(x + 4, bottom + 6, 8, 8);
    g.fillStyle = '#e9edf2';
    g.textAlign = 'left';
    g.textBaseline = 'top';
    g.font = '10px system-ui, sans-serif';
    const label = name.length > 14 ? `${name.slice(0, 13)}…` : name;
    g.fillText(label, x + 15, bottom + 5, Math.max(10, groupWidth - 17));
  }

  /** The last few seconds of gain reduction: the tracks' compressors in their colours, the bus compressor and limiter. */
  drawHistory(g, left, width, top, height, t) {
    g.fillStyle = '#10141a';
    g.fillRect(left, top, width - left, height);
    g.font = '9px system-ui, sans-serif';
    g.fillStyle = '#aab4c0';
    g.textAlign = 'right';
    g.textBaseline = 'top';
    g.fillText('0', left - 4, top);
    g.fillText(`−${grRange / 2}`, left - 4, top + height - 10);
    const line = (history, colour, dash) => {
      if (history.points.length < 2) return;
      g.strokeStyle = colour;
      g.setLineDash(dash);
      g.lineWidth = 1.5;
      g.beginPath();
      history.points.forEach((point, index) => {
        const x = left + (width - left) * (1 - (t - point.t) / history.seconds);
        const y = top + unit(point.value, 0, grRange / 2) * height;
        if (index === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
      g.setLineDash([]);
    };
    this.history.tracks.forEach((history, index) => line(history, this.tracks[index].colour, []));
    line(this.history.bus, '#aab4c0', [4, 3]);
    line(this.history.limiter, '#ffffff', []);
  }

  /** The readings on screen, for the page's state (tests read it). */
  summary() {
    return this.tracks.map((track) => ({ name: track.name, level: track.level.level, peak: track.peak.peak }));
  }
}

