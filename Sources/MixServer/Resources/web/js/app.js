// The page: a session of stems, a mix started and watched, then played with its meters in step.
// This module only wires the parts together: the API and sockets (api.js, status.js, stream.js),
// the stem rows (stems.js), the painters (meters.js, loudness.js, spectrum.js, scope.js) and one
// animation loop (scheduler.js).

import { API, ServiceError } from './api.js';
import { LoudnessMeter } from './loudness.js';
import { LevelMeters } from './meters.js';
import { renderReport } from './report.js';
import { trackColour } from './scale.js';
import { onFrame, setErrorReporter } from './scheduler.js';
import { ScopeView } from './scope.js';
import { SpectrumView } from './spectrum.js';
import { StatusWatch } from './status.js';
import { StemTable, inRenderOrder } from './stems.js';
import { FrameStream } from './stream.js';

const $ = (id) => document.getElementById(id);

/** The page's state, readable by tests and anyone automating the page. */
const page = {
  sessionId: null,
  jobId: null,
  state: null,
  progress: 0,
  framesReceived: 0,
  framesDrawn: 0,
  lastFrameTime: null,
  audioTime: 0,
  errors: [],
};
window.mixdown = page;

function recordError(error) {
  const message = error instanceof Error ? error.message : String(error);
  page.errors.push(message);
  console.warn('mixdown:', message);
}
setErrorReporter(recordError);
window.addEventListener('error', (event) => recordError(event.error || event.message));
window.addEventListener('unhandledrejection', (event) => recordError(event.reason));

const api = new API();
const maximumUploadsAtOnce = 2;
let stems = [];
let uploads = [];
let refusals = [];
let recipes = [];
let summary = null;
let nextUpload = 0;

// MARK: Meters

const meters = new LevelMeters($('meters'));
const loudness = new LoudnessMeter($('loudness'));
const spectrum = new SpectrumView($('spectrum'));
const scope = new ScopeView($('scope'));
const player = $('player');

/** The colour of a stem: its place among the session's stems in render order (as in the table). */
function colourOf(stemID, fallbackIndex) {
  const index = inRenderOrder(stems).findIndex((stem) => stem.stem_id === stemID);
  return trackColour(index >= 0 ? index : fallbackIndex);
}

const stream = new FrameStream(api, {
  onDescription(description) {
    const colours = description.tracks.map((track) => colourOf(track.id, track.index));
    meters.setTracks(description.tracks, colours);
    spectrum.setTracks(description.band_centers_hz, colours);
    scope.reset();
    $('meter-source').textContent = description.mode === 'live'
      ? 'live from the render (it runs faster than the song)'
      : 'replay, in step with the player';
    if (description.mode === 'replay') syncReplay();
  },
  onJob(message) { showJob(message); },
  onPlayback() {
    // The frames at the new position are on their way: give them a moment before checking.
    lastNudge = performance.now() - 150;
  },
  onError: recordError,
});

let lastDrawnSequence = null;
onFrame(function paintMeters(now) {
  page.framesReceived = stream.received;
  page.audioTime = player.currentTime;
  const frame = stream.frameAt(player.currentTime);
  // Ballistics run on the song's time in a replay, on the wall clock while a render fast-forwards.
  const t = frame && frame.replay ? frame.mediaTime : now / 1000;
  meters.draw(frame, t);
  loudness.draw(frame);
  spectrum.draw(frame);
  scope.draw(frame, now);
  if (frame && frame.sequence !== lastDrawnSequence) {
    lastDrawnSequence = frame.sequence;
    page.framesDrawn += 1;
  }
  page.lastFrameTime = frame ? frame.mediaTime : null;
  keepInStep(now);
});

// MARK: The player, and the replay in step with it

/**
 * The replay's clock runs on the server from the moment the player said play; the player's own
 * clock starts when its audio does, a little later, and a frame needs a tick and a trip to get
 * here. So the page asks the replay to run `lead` seconds ahead of the player, keeps the few
 * frames that arrive early and shows each at its time (`stream.frameAt`): the frame on screen is
 * the one the player is in. When the newest frame is not about a frame and a half ahead, the page
 * tells the replay the player's time again, corrected (at most four times a second).
 */
let lastNudge = 0;
let lead = 0.05;
function keepInStep(now) {
  const newest = stream.latest;
  if (!newest || !newest.replay || player.seeking || now - lastNudge < 250) return;
  const period = 1 / (stream.description ? stream.description.frames_per_second : 30);
  if (player.paused) {
    // A paused player settles its time a moment after the pause (its audio's output latency).
    const shown = stream.frameAt(player.currentTime);
    if (shown && Math.abs(shown.mediaTime + period / 2 - player.currentTime) > period) {
      lastNudge = now;
      stream.control('pause', player.currentTime);
    }
    return;
  }
  const error = newest.mediaTime - (player.currentTime + 1.5 * period);
  if (Math.abs(error) <= period / 2) return;
  lastNudge = now;
  lead = Math.min(0.3, Math.max(period, lead - error));
  stream.control('play', player.currentTime + lead);
}

function syncReplay() {
  if (!stream.description || stream.description.mode !== 'replay') return;
  if (player.paused) stream.control('pause', player.currentTime); else stream.control('play', player.currentTime + lead);
}

player.addEventListener('play', () => stream.control('play', player.currentTime + lead));
player.addEventListener('playing', () => stream.control('play', player.currentTime + lead));
player.addEventListener('pause', () => stream.control('pause', player.currentTime));
player.addEventListener('ended', () => stream.control('pause', player.currentTime));
player.addEventListener('seeking', () => stream.control('seek', player.currentTime));
player.addEventListener('seeked', () => {
  if (player.paused) stream.control('pause', player.currentTime); else stream.control('play', player.currentTime + lead);
});
player.addEventListener('error', () => {
  if (player.getAttribute('src')) recordError(new Error('the mix could not be played in this browser'));
});

// MARK: Stems

const table = new StemTable($('stem-rows'), {
  async onChange(stem, change) {
    try {
      await api.changeStem(stem.stem_id, change);
      await refreshStems();
    } catch (error) {
      showMixError(error);
      await refreshStems();
    }
  },
  async onDelete(stem) {
    try {
      await api.deleteStem(stem.stem_id);
      await refreshStems();
    } catch (error) {
      showMixError(error);
    }
  },
  onCancelUpload(upload) { upload.abort(); },
});

function renderStems() {
  table.render(stems, uploads, refusals);
  $('stems-count').textContent = stems.length ? `${stems.length} stem${stems.length === 1 ? '' : 's'}` : '';
  $('start').disabled = stems.length === 0 || isRunning();
}

async function refreshStems() {
  const list = await api.stems();
  stems = list.stems;
  renderStems();
}

/** Queues files for upload; two go at a time, each with its own progress and cancel. */
async function addFiles(files) {
  const audio = files.filter((file) => !file.name.startsWith('.'));
  if (audio.length === 0) return;
  await ensureSession();
  for (const file of audio) {
    nextUpload += 1;
    uploads.push({ id: nextUpload, file, progress: 0, started: false, abort: () => {} });
  }
  renderStems();
  pumpUploads();
}

function pumpUploads() {
  const active = uploads.filter((upload) => upload.started).length;
  for (const upload of uploads.filter((u) => !u.started).slice(0, Math.max(0, maximumUploadsAtOnce - active))) {
    upload.started = true;
    const { promise, abort } = api.upload(upload.file, (fraction) => {
      upload.progress = fraction;
      const row = document.querySelector(`[data-upload="${upload.id}"]`);
      if (row) {
        row.querySelector('.upload-progress > div').style.width = `${Math.round(fraction * 100)}%`;
        row.querySelector('.name').firstChild.textContent = `${upload.file.name} — uploading ${Math.round(fraction * 100)} %`;
      }
    });
    upload.abort = abort;
    promise.then(async () => {
      finishUpload(upload);
      await refreshStems();
    }).catch((error) => {
      finishUpload(upload);
      if (!(error instanceof ServiceError && error.code === 'cancelled')) {
        const refusal = { name: upload.file.name, message: error.message };
        refusal.dismiss = () => { refusals = refusals.filter((r) => r !== refusal); renderStems(); };
        refusals.push(refusal);
      }
      renderStems();
    });
  }
}

function finishUpload(upload) {
  uploads = uploads.filter((u) => u !== upload);
  pumpUploads();
}

/** Every file of a dropped folder (one level down, as a session folder is), or the files dropped. */
async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items].map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (entries.some((entry) => entry && entry.isDirectory)) {
    const files = [];
    for (const entry of entries) {
      if (!entry) continue;
      if (entry.isFile) files.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
      if (entry.isDirectory) {
        const reader = entry.createReader();
        for (;;) {
          const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
          if (batch.length === 0) break;
          for (const child of batch.filter((e) => e.isFile)) files.push(await new Promise((resolve, reject) => child.file(resolve, reject)));
        }
      }
    }
    return files;
  }
  return [...dataTransfer.files];
}

const dropZone = $('drop-zone');
for (const target of [dropZone, document.body]) {
  target.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('over');
  });
  target.addEventListener('dragleave', () => dropZone.classList.remove('over'));
  target.addEventListener('drop', async (event) => {
    event.preventDefault();
    dropZone.classList.remove('over');
    try {
      await addFiles(await droppedFiles(event.dataTransfer));
    } catch (error) {
      recordError(error);
    }
  });
}
$('stem-input').addEventListener('change', async (event) => {
  const files = [...event.target.files];
  event.target.value = '';
  await addFiles(files);
});

// MARK: The mix

const status = new StatusWatch(api, (message) => showJob(message), recordError);

function isRunning() {
  return page.state !== null && !['complete', 'failed', 'cancelled'].includes(page.state);
}

function showMixError(error) {
  const box = $('mix-error');
  box.textContent = error ? error.message : '';
  box.hidden = !error;
}

function showJob(job) {
  if (job.job_id && job.job_id !== page.jobId) return;
  const wasRunning = isRunning();
  page.state = job.state;
  page.progress = job.progress ?? page.progress;
  $('progress-block').hidden = false;
  const pill = $('job-state');
  pill.textContent = job.state.replace('_', ' ');
  pill.className = `state-pill ${job.state}`;
  $('job-message').textContent = job.error ? job.error : (job.message || '');
  $('job-percent').textContent = `${page.progress} %`;
  $('job-progress').setAttribute('aria-valuenow', String(page.progress));
  $('job-progress-fill').style.width = `${page.progress}%`;
  if (job.timeline) {
    $('timeline').replaceChildren(...job.timeline.map((entry) => {
      const item = document.createElement('li');
      const at = new Date(entry.at);
      item.textContent = `${entry.state.replace('_', ' ')} ${at.toLocaleTimeString()}`;
      return item;
    }));
  }
  $('cancel').hidden = !isRunning();
  $('start').disabled = isRunning() || stems.length === 0;
  if (job.state === 'complete' && (wasRunning || !summary || summary.job !== page.jobId)) showResult(job.visual);
  if (job.state === 'failed') showMixError(new Error(job.error || 'the mix failed'));
}

async function showResult(visual) {
  const jobID = page.jobId;
  const data = visual || await api.summary(jobID);
  summary = { job: jobID, data };
  const recipe = recipes.find((r) => r.name === data.recipe);
  loudness.setTarget(data.target_lufs ?? (recipe ? recipe.target_lufs : -14), data.ceiling_dbtp);
  $('result').hidden = false;
  if (player.dataset.job !== jobID) {
    player.dataset.job = jobID;
    player.src = api.fileURL(jobID, 'mix');
  }
  const extension = data.format.startsWith('flac') ? 'flac' : 'wav';
  $('download-mix').href = api.fileURL(jobID, 'mix');
  $('download-mix').setAttribute('download', `mixdown-${data.recipe}.${extension}`);
  $('download-frames').href = api.fileURL(jobID, 'frames');
  $('download-frames').setAttribute('download', `mixdown-${data.recipe}.frames`);
  $('download-summary').href = api.fileURL(jobID, 'summary');
  $('download-summary').setAttribute('download', `mixdown-${data.recipe}.summary.json`);
  renderReport($('report'), data, colourOf);
}

/** Follows a job: its status (progress, timeline) and its meter frames. */
function follow(jobID, fps) {
  page.jobId = jobID;
  page.state = null;
  page.progress = 0;
  summary = null;
  $('result').hidden = true;
  showMixError(null);
  status.open(jobID);
  stream.open(jobID, { fps: Math.max(30, Math.min(60, fps || 60)) });
}

$('mix-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showMixError(null);
  try {
    const fps = Number($('fps').value);
    const created = await api.startJob({ recipe: $('recipe').value, format: $('format').value, fps });
    const recipe = recipes.find((r) => r.name === $('recipe').value);
    if (recipe) loudness.setTarget(recipe.target_lufs, recipe.ceiling_dbtp);
    player.pause();
    follow(created.job_id, 60);
    showJob({ job_id: created.job_id, state: 'queued', progress: 0, message: 'waiting for a worker' });
  } catch (error) {
    showMixError(error);
  }
});

$('cancel').addEventListener('click', async () => {
  if (!page.jobId) return;
  try {
    await api.cancelJob(page.jobId);
  } catch (error) {
    showMixError(error);
  }
});

$('recipe').addEventListener('change', describeRecipe);

function describeRecipe() {
  const recipe = recipes.find((r) => r.name === $('recipe').value);
  $('recipe-about').textContent = recipe ? recipe.about : '';
}

// MARK: The session

async function ensureSession() {
  if (api.session) return;
  await api.createSession();
  page.sessionId = api.session.id;
  $('session-label').textContent = 'a new session';
}

$('new-session').addEventListener('click', async () => {
  status.close();
  stream.close();
  api.forget();
  stems = [];
  refusals = [];
  page.jobId = null;
  page.state = null;
  $('result').hidden = true;
  $('progress-block').hidden = true;
  await ensureSession();
  renderStems();
});

async function start() {
  try {
    const list = await api.recipes();
    recipes = list.recipes;
    $('recipe').replaceChildren(...recipes.map((recipe) => {
      const option = document.createElement('option');
      option.value = recipe.name;
      option.textContent = `${recipe.name} — ${recipe.target_lufs} LUFS, ${recipe.ceiling_dbtp} dBTP`;
      option.selected = recipe.name === list.default;
      return option;
    }));
    describeRecipe();
    const saved = api.savedSession();
    const session = saved ? await api.loadSession(saved) : null;
    if (session) {
      page.sessionId = session.session_id;
      $('session-label').textContent = 'your session (kept in this browser)';
      stems = session.stems;
      renderStems();
      const newest = session.jobs[0];
      if (newest) follow(newest.job_id, 60);
    } else {
      await ensureSession();
      renderStems();
    }
  } catch (error) {
    recordError(error);
    showMixError(error);
  }
}

start();
