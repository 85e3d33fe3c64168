// The decision report of a finished mix, from its summary: per track what the mix did to it, and
// what the master did and measured.

import { formatDB, trackColour } from './scale.js';

function element(name, attributes = {}, children = []) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'text') node.textContent = value; else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function row(cells, header = false) {
  return element('tr', {}, cells.map(([text, numeric]) => element(header ? 'th' : 'td', {
    text, ...(numeric ? { class: 'num' } : {}), ...(header ? { scope: 'col' } : {}),
  })));
}

export function renderReport(container, summary, colourOf = (stemID, index) => trackColour(index)) {
  container.replaceChildren();
  const tracks = element('table', { 'aria-label': 'What the mix did to each track' });
  tracks.append(element('thead', {}, [row([
    ['Track'], ['Role'], ['Match', true], ['Comp GR avg / max', true], ['De-ess GR max', true], ['In the mix', true],
  ], true)]));
  const labels = ['Role', 'Match', 'Comp GR avg / max', 'De-ess GR max', 'In the mix'];
  const body = element('tbody');
  summary.tracks.forEach((track, index) => {
    const name = element('td', { class: 'name' });
    const swatch = element('span', { class: 'swatch' });
    swatch.style.background = colourOf(track.stem_id, index);
    name.append(swatch, ` ${track.file}`);
    const line = element('tr', {}, [name]);
    const values = [
      `${track.role}${track.role_guessed ? ' (guessed)' : ''}`,
      `${track.match_gain_db >= 0 ? '+' : ''}${formatDB(track.match_gain_db)} dB`,
      `${formatDB(track.compressor_gr_avg_db)} / ${formatDB(track.compressor_gr_max_db)} dB`,
      `${formatDB(track.de_esser_gr_max_db)} dB`,
      `${formatDB(track.loudness_in_mix_lufs)} LUFS`,
    ];
    values.forEach((text, column) => {
      line.append(element('td', { text, 'data-label': labels[column], ...(column > 0 ? { class: 'num' } : {}) }));
    });
    body.append(line);
  });
  tracks.append(body);
  const trackBlock = element('div', {}, [element('h3', { text: 'Tracks' }), tracks]);

  const master = summary.master;
  const held = summary.ceiling_held;
  const masterTable = element('table', { 'aria-label': 'What the master did and measured' });
  const lines = [
    ['Recipe', summary.recipe],
    ['Master gain', `${master.gain_db >= 0 ? '+' : ''}${formatDB(master.gain_db)} dB`],
    ['Bus compressor GR', `${formatDB(master.bus_compressor_gr_avg_db)} / ${formatDB(master.bus_compressor_gr_max_db)} dB`],
    ['Limiter GR', `${formatDB(master.limiter_gr_avg_db)} / ${formatDB(master.limiter_gr_max_db)} dB`],
    ['Integrated', `${formatDB(summary.integrated_lufs, 2)} LUFS (target ${formatDB(summary.target_lufs)})`],
    ['Loudness range', `${formatDB(summary.loudness_range_lu)} LU`],
    ['True peak', `${formatDB(summary.true_peak_dbtp, 2)} dBTP`],
    ['Ceiling', `${formatDB(summary.ceiling_dbtp)} dBTP, ${held ? 'held' : 'broken'}`],
  ];
  const masterBody = element('tbody');
  for (const [name, value] of lines) {
    const valueCell = element('td', { text: value, class: 'num' });
    if (name === 'Ceiling') valueCell.classList.add(held ? 'held' : 'broken');
    masterBody.append(element('tr', {}, [element('th', { text: name, scope: 'row' }), valueCell]));
  }
  masterTable.append(masterBody);
  const note = summary.target_note ? element('p', { class: 'muted small', text: summary.target_note }) : '';
  container.append(trackBlock, element('div', {}, [element('h3', { text: 'Master' }), masterTable, note]));
}
