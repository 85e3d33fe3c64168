// The stem rows: one per stem (name, role with a picker, what the file is, gain, mute, delete),
// one per upload in flight (its progress and a cancel) and one per refused file (the service's
// reason), each in the colour its meters use.

import { formatDB } from './scale.js';

const roles = ['lead', 'double', 'harmony', 'adlib', 'beat', 'other'];
// The render's order (SPEC §2): lead, double, harmony, adlib, other, beat.
const roleOrder = { lead: 0, double: 1, harmony: 2, adlib: 3, other: 4, beat: 5 };

/** Compares by code points, as the service does (never by locale). */
function codePointOrder(a, b) {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i].codePointAt(0) - y[i].codePointAt(0);
  }
  return x.length - y.length;
}

/** Stems in the render's order: by role, then name (case folded first), then id. */
export function inRenderOrder(stems) {
  return [...stems].sort((a, b) => (roleOrder[a.role] - roleOrder[b.role])
    || codePointOrder(a.name.toLowerCase(), b.name.toLowerCase()) || codePointOrder(a.name, b.name)
    || codePointOrder(a.stem_id, b.stem_id));
}

function cell(text, label, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (label) td.dataset.label = label;
  if (className) td.className = className;
  return td;
}

function duration(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

export class StemTable {
  constructor(body, { onChange, onDelete, onCancelUpload }) {
    this.body = body;
    this.handlers = { onChange, onDelete, onCancelUpload };
  }

  /** Draws the stems (each in its colour), the uploads in flight and the refusals; the control that had the focus keeps it. */
  render(stems, uploads, refusals, colourOf) {
    const focused = document.activeElement;
    const focusRow = focused && focused.closest ? focused.closest('tr') : null;
    const focus = focusRow && this.body.contains(focusRow) ? { stem: focusRow.dataset.stemId, control: focused.dataset.control } : null;
    this.body.replaceChildren();
    for (const stem of inRenderOrder(stems)) this.body.append(this.stemRow(stem, colourOf(stem.stem_id)));
    for (const upload of uploads) this.body.append(this.uploadRow(upload));
    for (const refusal of refusals) this.body.append(this.refusalRow(refusal));
    if (focus && focus.stem && focus.control) {
      const again = this.body.querySelector(`tr[data-stem-id="${CSS.escape(focus.stem)}"] [data-control="${focus.control}"]`);
      if (again) again.focus();
    }
  }

  stemRow(stem, colour) {
    const row = document.createElement('tr');
    row.dataset.testid = 'stem-row';
    row.dataset.stemId = stem.stem_id;
    const swatch = document.createElement('td');
    const dot = document.createElement('span');
    dot.className = 'swatch';
    dot.style.background = colour;
    swatch.append(dot);
    // The name, and what the file is under it: format, rate, channels, length.
    const name = cell(stem.name, null, 'name');
    const details = document.createElement('span');
    details.className = 'details';
    details.textContent = `${stem.format} · ${(stem.sample_rate / 1000).toFixed(1)} kHz · `
      + `${stem.channels === 1 ? 'mono' : stem.channels === 2 ? 'stereo' : `${stem.channels} ch`} · ${duration(stem.duration_s)}`;
    name.append(details);
    row.append(swatch, name);
    const roleCell = document.createElement('td');
    roleCell.dataset.label = 'Role';
    const picker = document.createElement('select');
    picker.dataset.testid = 'role';
    picker.dataset.control = 'role';
    picker.setAttribute('aria-label', `Role of ${stem.name}`);
    for (const role of roles) {
      const option = document.createElement('option');
      option.value = role;
      option.textContent = role;
      option.selected = role === stem.role;
      picker.append(option);
    }
    picker.addEventListener('change', () => this.handlers.onChange(stem, { role: picker.value }));
    roleCell.append(picker);
    if (stem.role_guessed) {
      const mark = document.createElement('span');
      mark.className = 'guessed';
      mark.textContent = 'guessed';
      mark.title = 'The name did not say; the role was guessed from the sound.';
      roleCell.append(mark);
    }
    row.append(roleCell);
    row.append(
      cell(formatDB(stem.peak_dbfs), 'Peak (dBFS)', 'num'),
      cell(formatDB(stem.loudness_lufs), 'Loudness (LUFS)', 'num'));
    const gainCell = document.createElement('td');
    gainCell.className = 'num';
    gainCell.dataset.label = 'Gain (dB)';
    const gain = document.createElement('input');
    gain.type = 'number';
    gain.dataset.control = 'gain';
    gain.min = '-60';
    gain.max = '24';
    gain.step = '0.5';
    gain.value = String(stem.gain_db);
    gain.setAttribute('aria-label', `Gain of ${stem.name} in dB`);
    gain.addEventListener('change', () => {
      const value = Number(gain.value);
      if (Number.isFinite(value)) this.handlers.onChange(stem, { gain_db: value });
    });
    gainCell.append(gain);
    const muteCell = document.createElement('td');
    muteCell.dataset.label = 'Mute';
    const mute = document.createElement('input');
    mute.type = 'checkbox';
    mute.dataset.control = 'mute';
    mute.checked = stem.muted;
    mute.setAttribute('aria-label', `Mute ${stem.name}`);
    mute.addEventListener('change', () => this.handlers.onChange(stem, { muted: mute.checked }));
    muteCell.append(mute);
    const actions = document.createElement('td');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'quiet icon';
    remove.textContent = '✕';
    remove.title = 'Delete';
    remove.setAttribute('aria-label', `Delete ${stem.name}`);
    remove.addEventListener('click', () => this.handlers.onDelete(stem));
    actions.append(remove);
    row.append(gainCell, muteCell, actions);
    return row;
  }

  uploadRow(upload) {
    const row = document.createElement('tr');
    row.dataset.upload = upload.id;
    const name = cell('', null, 'name');
    name.colSpan = 7;
    name.textContent = upload.started
      ? `${upload.file.name} — uploading ${Math.round(upload.progress * 100)} %` : `${upload.file.name} — waiting to upload`;
    const bar = document.createElement('div');
    bar.className = 'upload-progress';
    const fill = document.createElement('div');
    fill.style.width = `${Math.round(upload.progress * 100)}%`;
    bar.append(fill);
    name.append(bar);
    const actions = document.createElement('td');
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'quiet icon';
    cancel.textContent = 'Cancel';
    cancel.setAttribute('aria-label', `Cancel the upload of ${upload.file.name}`);
    cancel.addEventListener('click', () => this.handlers.onCancelUpload(upload));
    actions.append(cancel);
    row.append(name, actions);
    return row;
  }

  refusalRow(refusal) {
    const row = document.createElement('tr');
    row.className = 'row-error';
    row.dataset.testid = 'stem-error';
    const text = cell(refusal.message.startsWith(refusal.name) ? refusal.message : `${refusal.name}: ${refusal.message}`, null, 'name');
    text.colSpan = 7;
    const actions = document.createElement('td');
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'quiet icon';
    dismiss.textContent = 'Dismiss';
    dismiss.setAttribute('aria-label', `Dismiss the error about ${refusal.name}`);
    dismiss.addEventListener('click', () => refusal.dismiss());
    actions.append(dismiss);
    row.append(text, actions);
    return row;
  }
}
