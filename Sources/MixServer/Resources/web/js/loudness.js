// Loudness on the EBU +9 scale (Tech 3341: target −18 to +9 LU): momentary and short-term bars,
// the integrated loudness so far (red above the target), the target line, and readouts of the
// range and the highest true peak (red above the recipe's ceiling).

import { fitCanvas, formatDB, ticks, unit } from './scale.js';

export class LoudnessMeter {
  constructor(canvas) {
    this.canvas = canvas;
    this.targetLUFS = -14;
    this.ceilingDBTP = -1;
  }

  setTarget(targetLUFS, ceilingDBTP) {
    this.targetLUFS = targetLUFS;
    this.ceilingDBTP = ceilingDBTP;
  }

  draw(frame) {
    const { context: g, width, height } = fitCanvas(this.canvas);
    g.clearRect(0, 0, width, height);
    const low = this.targetLUFS - 18, high = this.targetLUFS + 9;
    const top = 10, bottom = height - 92;
    const scaleWidth = 46;
    const y = (lufs) => bottom - unit(lufs, low, high) * (bottom - top);
    // The scale: LU around the target on the left, LUFS on the right.
    g.font = '10px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (const lu of ticks(-18, 9, 3)) {
      const yy = Math.round(y(this.targetLUFS + lu));
      g.fillStyle = '#242b35';
      g.fillRect(scaleWidth, yy, width - scaleWidth - 34, 1);
      g.fillStyle = '#aab4c0';
      g.textAlign = 'right';
      g.fillText(lu > 0 ? `+${lu}` : String(lu), scaleWidth - 6, yy);
      g.textAlign = 'left';
      g.fillText(String(this.targetLUFS + lu), width - 30, yy);
    }
    const loudness = frame && frame.loudness;
    const bars = [
      ['M', loudness ? loudness.momentary : null, '#5cb8ff'],
      ['S', loudness ? loudness.shortTerm : null, '#7ee081'],
      ['I', loudness ? loudness.integrated : null, null],
    ];
    const barWidth = Math.max(14, (width - scaleWidth - 44) / 3 - 10);
    bars.forEach(([name, value, colour], index) => {
      const x = scaleWidth + 6 + index * (barWidth + 10);
      g.fillStyle = '#10141a';
      g.fillRect(x, top, barWidth, bottom - top);
      if (value !== null && value !== undefined) {
        const above = value > this.targetLUFS + 0.05;
        g.fillStyle = colour ?? (above ? '#ff6b6b' : '#e9edf2');
        const yy = y(value);
        g.fillRect(x, yy, barWidth, bottom - yy);
      }
      g.fillStyle = '#aab4c0';
      g.textAlign = 'center';
      g.textBaseline = 'top';
      g.fillText(name, x + barWidth / 2, bottom + 4);
    });
    // The target.
    const targetY = Math.round(y(this.targetLUFS));
    g.fillStyle = '#ff6b6b';
    g.fillRect(scaleWidth, targetY - 1, width - scaleWidth - 34, 2);
    // Readouts.
    const readouts = [
      ['Integrated', loudness ? loudness.integrated : null, 'LUFS', loudness && loudness.integrated > this.targetLUFS + 0.05],
      ['Short-term', loudness ? loudness.shortTerm : null, 'LUFS', false],
      ['Range', loudness ? loudness.range : null, 'LU', false],
      ['True peak', loudness ? loudness.truePeakMax : null, 'dBTP', loudness && loudness.truePeakMax > this.ceilingDBTP],
    ];
    g.textAlign = 'left';
    g.textBaseline = 'top';
    readouts.forEach(([name, value, unitName, red], index) => {
      const x = 8 + (index % 2) * (width / 2);
      const yy = bottom + 24 + Math.floor(index / 2) * 32;
      g.fillStyle = '#aab4c0';
      g.font = '10px system-ui, sans-serif';
      g.fillText(name, x, yy);
      g.fillStyle = red ? '#ff6b6b' : '#e9edf2';
      g.font = '600 15px system-ui, sans-serif';
      g.fillText(`${formatDB(value)} ${unitName}`, x, yy + 11);
    });
    g.font = '10px system-ui, sans-serif';
  }
}
