// Level and gain-reduction meters: per track the level (RMS bar, sample peak, a peak hold of 2 s,
// falling 20 dB a second by elapsed time) beside its compressor and de-esser gain reduction
// (0 to −24 dB, growing down); then the master's level (true peak), bus compressor and limiter;
// under them a few seconds of gain-reduction history. `take` reads a new frame (the data step);
// `draw` paints what was taken (the paint step), however often the page repaints.

import { Ballistics, History, fitCanvas, ticks, unit } from './scale.js';

const levelRange = { min: -60, max: 0 };
const grRange = 24;
const historyRange = 12;
const historyHeight = 54;
const labelHeight = 30;
const colours = { compressor: '#e9edf2', deEsser: '#8f9bab', master: '#e9edf2' };

export class LevelMeters {
  constructor(canvas) {
    this.canvas = canvas;
    this.tracks = [];
    this.colourOf = () => '#5cb8ff';
    this.ceilingDBTP = -1;
    this.master = { level: new Ballistics(), truePeak: new Ballistics(), reading: null };
    this.history = { bus: new History(4), limiter: new History(4), tracks: [] };
    this.time = 0;
  }

  /** The tracks of a new stream; `colourOf(id, index)` gives each its row's colour. */
  setTracks(tracks, colourOf) {
    this.colourOf = colourOf;
    this.tracks = tracks.map((track) => ({
      id: track.id, index: track.index, name: track.name, level: new Ballistics(), peak: new Ballistics(), reading: null,
    }));
    this.history.tracks = tracks.map(() => new History(4));
    this.reset();
  }

  setCeiling(ceilingDBTP) { this.ceilingDBTP = ceilingDBTP; }

  /** Forgets what was shown (a new stream, a job that ended without a mix). */
  reset() {
    for (const track of this.tracks) { track.level.reset(); track.peak.reset(); track.reading = null; }
    this.master.level.reset();
    this.master.truePeak.reset();
    this.master.reading = null;
    this.history.bus.clear();
    this.history.limiter.clear();
    for (const history of this.history.tracks) history.clear();
  }

  /** Takes a new frame seen at time `t` (s): the ballistics and the history move on. */
  take(frame, t) {
    if (!frame.tracks) return;
    this.time = t;
    frame.tracks.forEach((reading, index) => {
      const track = this.tracks[index];
      if (!track) return;
      track.reading = {
        level: track.level.update(reading.rms, t), peak: track.peak.update(reading.peak, t),
        compressorGR: reading.compressorGR, deEsserGR: reading.deEsserGR,
      };
      this.history.tracks[index].push(t, reading.compressorGR);
    });
    const master = frame.master;
    this.master.reading = {
      level: this.master.level.update(master.rms, t), peak: this.master.truePeak.update(master.truePeak ?? master.peak, t),
      busGR: master.busGR, limiterGR: master.limiterGR,
    };
    this.history.bus.push(t, master.busGR);
    this.history.limiter.push(t, master.limiterGR);
  }

  /** Paints what was taken. */
  draw() {
    const { context: g, width, height } = fitCanvas(this.canvas);
    g.clearRect(0, 0, width, height);
    const top = 8, bottom = height - historyHeight - labelHeight;
    const scaleWidth = 30, grScaleWidth = 26;
    const groups = this.tracks.length + 1;
    const groupWidth = (width - scaleWidth - grScaleWidth) / Math.max(1, groups);
    this.drawScale(g, scaleWidth, width - grScaleWidth, top, bottom);
    if (!this.master.reading) {
      g.fillStyle = '#aab4c0';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText('meters move when a mix renders or plays', width / 2, (top + bottom) / 2);
      return;
    }
    this.tracks.forEach((track, index) => {
      if (!track.reading) return;
      const x = scaleWidth + index * groupWidth;
      const colour = this.colourOf(track.id, track.index);
      const { level, peak } = track.reading;
      this.drawGroup(g, x, groupWidth, top, bottom, colour, level.level, peak.level, peak.peak, peak.peak > -0.1,
        [track.reading.compressorGR, track.reading.deEsserGR]);
      this.drawLabel(g, x, groupWidth, bottom, track.name, colour);
    });
    const x = scaleWidth + this.tracks.length * groupWidth;
    const { level, peak, busGR, limiterGR } = this.master.reading;
    this.drawGroup(g, x, groupWidth, top, bottom, colours.master, level.level, peak.level, peak.peak,
      peak.peak > this.ceilingDBTP, [busGR, limiterGR]);
    this.drawLabel(g, x, groupWidth, bottom, 'Master', colours.master);
    this.drawHistory(g, scaleWidth, width - grScaleWidth, height - historyHeight + 4, historyHeight - 8);
  }

  drawScale(g, scaleWidth, right, top, bottom) {
    g.font = '10px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (const db of ticks(levelRange.min, levelRange.max, 6)) {
      const y = Math.round(bottom - unit(db, levelRange.min, levelRange.max) * (bottom - top));
      g.fillStyle = '#242b35';
      g.fillRect(scaleWidth, y, right - scaleWidth, 1);
      g.fillStyle = '#aab4c0';
      g.textAlign = 'right';
      g.fillText(String(db), scaleWidth - 4, y);
    }
    // The gain-reduction scale, on the right: 0 at the top, −24 dB at the bottom.
    g.textAlign = 'left';
    for (const gr of [0, 6, 12, 18, 24]) {
      const y = top + unit(gr, 0, grRange) * (bottom - top);
      g.fillText(gr === 0 ? 'GR 0' : `−${gr}`, right + 3, y);
    }
  }

  /** One meter group: a level bar and its gain-reduction bars. */
  drawGroup(g, x, groupWidth, top, bottom, colour, rms, peak, hold, holdOver, reductions) {
    const span = bottom - top;
    const barWidth = Math.max(5, Math.min(28, groupWidth * 0.34));
    const grWidth = Math.max(3, Math.min(10, groupWidth * 0.13));
    const barX = x + Math.max(2, groupWidth * 0.08);
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
    g.fillStyle = holdOver ? '#ff6b6b' : '#ffffff';
    g.fillRect(barX, y(hold) - 1, barWidth, 2);
    // Gain reduction: 0 at the top, growing down to −24 dB.
    reductions.forEach((reduction, index) => {
      const grX = barX + barWidth + 3 + index * (grWidth + 2);
      g.fillStyle = '#10141a';
      g.fillRect(grX, top, grWidth, span);
      g.fillStyle = index === 0 ? colours.compressor : colours.deEsser;
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
    // As much of the name as fits, cut with an ellipsis rather than squeezed.
    const room = Math.max(10, groupWidth - 17);
    let label = name;
    while (label.length > 1 && g.measureText(label).width > room) label = `${label.slice(0, -2)}…`;
    g.fillText(label, x + 15, bottom + 5);
  }

  /** The last few seconds of gain reduction (0 to −12 dB): the tracks' compressors in their colours, the bus compressor dashed, the limiter white. */
  drawHistory(g, left, right, top, height) {
    g.fillStyle = '#10141a';
    g.fillRect(left, top, right - left, height);
    g.font = '9px system-ui, sans-serif';
    g.fillStyle = '#aab4c0';
    g.textAlign = 'right';
    g.textBaseline = 'top';
    g.fillText('0', left - 4, top);
    g.fillText(`−${historyRange}`, left - 4, top + height - 10);
    g.textAlign = 'left';
    g.fillText('GR, 4 s', right + 3, top);
    const line = (history, colour, dash) => {
      if (history.points.length < 2) return;
      g.strokeStyle = colour;
      g.setLineDash(dash);
      g.lineWidth = 1.5;
      g.beginPath();
      history.points.forEach((point, index) => {
        const x = left + (right - left) * (1 - (this.time - point.t) / history.seconds);
        const y = top + unit(point.value, 0, historyRange) * height;
        if (index === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
      g.setLineDash([]);
    };
    this.history.tracks.forEach((history, index) => line(history, this.colourOf(this.tracks[index].id, index), []));
    line(this.history.bus, '#aab4c0', [4, 3]);
    line(this.history.limiter, '#ffffff', []);
  }
}
