// Spectra on a log frequency axis (20 Hz–20 kHz) from −90 to 0 dB: post-master filled (grey),
// pre-master as a white line, each track a thin line in its row's colour.

import { fitCanvas, logPosition, trackColour, unit } from './scale.js';

const floorDB = -90;

export class SpectrumView {
  constructor(canvas) {
    this.canvas = canvas;
    this.bandCenters = [];
    this.tracks = [];
    this.colourOf = () => '#5cb8ff';
  }

  /** The bands' centres and the tracks of a new stream; `colourOf(id, index)` gives each its row's colour. */
  setTracks(bandCenters, tracks, colourOf) {
    this.bandCenters = bandCenters;
    this.tracks = tracks;
    this.colourOf = colourOf;
  }

  draw(frame) {
    const { context: g, width, height } = fitCanvas(this.canvas);
    g.clearRect(0, 0, width, height);
    const left = 30, right = width - 6, top = 6, bottom = height - 18;
    const x = (hz) => left + logPosition(hz) * (right - left);
    const y = (db) => bottom - unit(db, floorDB, 0) * (bottom - top);
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#aab4c0';
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    for (const db of [0, -30, -60, -90]) {
      g.fillText(String(db), left - 4, y(db));
      g.fillStyle = '#242b35';
      g.fillRect(left, Math.round(y(db)), right - left, 1);
      g.fillStyle = '#aab4c0';
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const [hz, label] of [[20, '20'], [50, '50'], [100, '100'], [200, '200'], [500, '500'], [1000, '1k'], [2000, '2k'],
      [5000, '5k'], [10000, '10k'], [20000, '20k']]) {
      const xx = Math.round(x(hz));
      g.fillStyle = '#242b35';
      g.fillRect(xx, top, 1, bottom - top);
      g.fillStyle = '#aab4c0';
      g.fillText(label, Math.min(right - 8, Math.max(left + 6, xx)), bottom + 4);
    }
    if (!frame || !frame.spectra || this.bandCenters.length === 0) return;
    const path = (bytes) => {
      g.beginPath();
      for (let band = 0; band < bytes.length; band += 1) {
        const xx = x(this.bandCenters[band]);
        const yy = y(bytes[band] - 120);
        if (band === 0) g.moveTo(xx, yy); else g.lineTo(xx, yy);
      }
    };
    // Post-master, filled.
    path(frame.spectra.post);
    g.lineTo(x(this.bandCenters[this.bandCenters.length - 1]), bottom);
    g.lineTo(x(this.bandCenters[0]), bottom);
    g.closePath();
    g.fillStyle = 'rgba(200, 210, 222, 0.22)';
    g.fill();
    // The tracks.
    g.lineWidth = 1;
    frame.spectra.tracks.forEach((bytes, index) => {
      path(bytes);
      const track = this.tracks[index];
      g.strokeStyle = track ? this.colourOf(track.id, track.index) : trackColour(index);
      g.globalAlpha = 0.8;
      g.stroke();
    });
    g.globalAlpha = 1;
    // Pre-master, a line.
    path(frame.spectra.pre);
    g.strokeStyle = '#e9edf2';
    g.lineWidth = 1.5;
    g.stroke();
    g.lineWidth = 1;
  }
}
