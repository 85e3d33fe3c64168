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

/** Every error the page meets is kept (and shown where it matters), never only logged. */
function recordError(error) {
  page.errors.push(error instanceof Error ? error.message : String(error));
}
setErrorReporter(recordError);
window.addEventListener('error', (event) => recordError(event.error || event.message));
window.addEventListener('unhandledrejection', (event) => recordError(event.reason));

const api = new API();
const maximumUploadsAtOnce = 2;
const audioExtensions = new Set(['wav', 'wave', 'bwf', 'rf64', 'aif', 'aiff', 'aifc', 'flac', 'mp3', 'ogg', 'oga', 'opus']);
const stateOrder = ['queued', 'loading', 'processing_tracks', 'mixing', 'mastering', 'exporting', 'complete'];
let stems = [];
let uploads = [];
let refusals = [];
let recipes = [];
let shownResult = null;
let nextUpload = 0;
let colours = new Map();
let stemsRequest = 0;

// MARK: Meters

const meters = new LevelMeters($('meters'));
const loudness = new LoudnessMeter($('loudness'));
const spectrum = new SpectrumView($('spectrum'));
const scope = new ScopeView($('scope'));
const player = $('player');

/** A stem's colour: its place among the session's stems in the render's order, as in its row. */
function colourOf(stemID, fallbackIndex) {
  return colours.get(stemID) ?? trackColour(fallbackIndex ?? 0);
}

function setTargets(targetLUFS, ceilingDBTP) {
  loudness.setTarget(targetLUFS, ceilingDBTP);
  meters.setCeiling(ceilingDBTP);
}

function targetsOfRecipe(name) {
  const recipe = recipes.find((r) => r.name === name);
  if (recipe) setTargets(recipe.target_lufs, recipe.ceiling_dbtp);
}

let reconnects = 0;
const stream = new FrameStream(api, {
  onDescription(description) {
    meters.setTracks(description.tracks, colourOf);
    spectrum.setTracks(description.band_centers_hz, description.tracks, colourOf);
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
  onBye() { $('meter-source').textContent = 'the service is restarting; reload the page in a moment'; },
  onDrop() {
    // A dropped connection (not a close) is opened again where the player is, a few times.
    if (page.jobId && reconnects < 3) {
      reconnects += 1;
      const jobID = page.jobId;
      setTimeout(() => { if (page.jobId === jobID) stream.open(jobID, { fps: 60, from: player.currentTime }); }, 1000);
    }
  },
  onError: recordError,
});

let lastDrawnSequence = null;
onFrame(function paintMeters(now) {
  page.framesReceived = stream.received;
  page.audioTime = player.currentTime;
  const frame = stream.frameAt(player.currentTime);
  if (frame && frame.sequence !== lastDrawnSequence) {
    // The data step, once per new frame: ballistics run on the song's time in a replay, on the
    // wall clock while a render fast-forwards.
    lastDrawnSequence = frame.sequence;
    page.framesDrawn += 1;
    meters.take(frame, frame.replay ? frame.mediaTime : now / 1000);
  }
  page.lastFrameTime = frame ? frame.mediaTime : null;
  meters.draw();
  loudness.draw(frame);
  spectrum.draw(frame);
  scope.draw(frame, now);
  keepInStep(now);
});

/** Clears the meters (a new job, a job that ended without a mix, a new session). */
function clearMeters(note) {
  stream.close();
  stream.latest = null;
  stream.recent = [];
  meters.reset();
  lastDrawnSequence = null;
  $('meter-source').textContent = note;
}

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
  if (!newest || !newest.replay || player.seeking || now - lastNudge < 250 || !stream.description) return;
  const fps = stream.description.frames_per_second;
  const period = 1 / fps;
  if (player.paused) {
    // A paused player settles its time a moment after the pause (its audio's output latency):
    // the frame shown must be the one the player's position is in (the song's last, at its end).
    const shown = stream.frameAt(player.currentTime);
    const wanted = Math.min(stream.description.frame_count - 1, Math.floor(player.currentTime * fps + 1e-6));
    if (shown && Math.round(shown.mediaTime * fps) !== wanted) {
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
player.addEventListener('seeked', syncReplay);
player.addEventListener('error', () => {
  if (player.getAttribute('src')) recordError(new Error('the mix could not be played in this browser'));
});

function stopPlayer() {
  player.pause();
  player.removeAttribute('src');
  delete player.dataset.job;
  player.load();
}

// MARK: Stems

const table = new StemTable($('stem-rows'), {
  async onChange(stem, change) {
    try {
      await api.changeStem(stem.stem_id, change);
    } catch (error) {
      showMixError(error);
    }
    await refreshStems();
  },
  async onDelete(stem) {
    try {
      await api.deleteStem(stem.stem_id);
    } catch (error) {
      showMixError(error);
    }
    await refreshStems();
  },
  onCancelUpload(upload) {
    if (upload.started) {
      upload.abort();
    } else {
      uploads = uploads.filter((u) => u !== upload);
      renderStems();
    }
  },
});

function renderStems() {
  colours = new Map(inRenderOrder(stems).map((stem, index) => [stem.stem_id, trackColour(index)]));
  table.render(stems, uploads, refusals, colourOf);
  $('stems-count').textContent = stems.length ? `${stems.length} stem${stems.length === 1 ? '' : 's'}` : '';
  $('start').disabled = stems.length === 0 || isRunning();
}

/** Reads the stems again; an answer that comes after a later request's is dropped. */
async function refreshStems() {
  const request = ++stemsRequest;
  try {
    const list = await api.stems();
    if (request !== stemsRequest) return;
    stems = list.stems;
    renderStems();
  } catch (error) {
    showMixError(error);
  }
}

/** Queues files for upload; two go at a time, each with its own progress and cancel. */
async function addFiles(files) {
  const audio = [];
  const ignored = [];
  for (const file of files) {
    const extension = file.name.includes('.') ? file.name.split('.').pop().toLowerCase() : '';
    if (file.name.startsWith('.') || (extension && !audioExtensions.has(extension))) ignored.push(file.name); else audio.push(file);
  }
  if (ignored.length) {
    const refusal = { name: ignored.join(', '), message: `${ignored.join(', ')}: left out (not audio files)` };
    refusal.dismiss = () => { refusals = refusals.filter((r) => r !== refusal); renderStems(); };
    refusals.push(refusal);
  }
  if (audio.length === 0) {
    renderStems();
    return;
  }
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
    promise.then(() => {
      finishUpload(upload);
      refreshStems();
    }, (error) => {
      finishUpload(upload);
      if (!(error instanceof ServiceError && error.code === 'cancelled')) {
        const refusal = { name: upload.file.name, message: error.message };
        refusal.dismiss = () => { refusals = refusals.filter((r) => r !== refusal); renderStems(); };
        refusals.push(refusal);
      }
      renderStems();
    });
  }
  renderStems();
}

function finishUpload(upload) {
  uploads = uploads.filter((u) => u !== upload);
  pumpUploads();
}

/** Every file of a dropped folder (its files, not those of folders inside it), or the files dropped. */
async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items].map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (!entries.some((entry) => entry && entry.isDirectory)) return [...dataTransfer.files];
  const file = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));
  const files = [];
  for (const entry of entries) {
    if (!entry) continue;
    if (entry.isFile) files.push(await file(entry));
    if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch.filter((e) => e.isFile)) files.push(await file(child));
      }
    }
  }
  return files;
}

// Files dropped anywhere on the page land in the session; the zone shows where.
const dropZone = $('drop-zone');
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('over');
});
document.addEventListener('dragleave', (event) => {
  if (!event.relatedTarget) dropZone.classList.remove('over');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('over');
  droppedFiles(event.dataTransfer).then(addFiles).catch(recordError);
});
for (const input of [$('stem-input'), $('folder-input')]) {
  input.addEventListener('change', (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    addFiles(files).catch(recordError);
  });
}

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

/** Whether `job` is behind what is shown (the two sockets may report one change in either order). */
function isStale(job) {
  if (page.state === null || page.state === job.state) return page.state !== null && (job.progress ?? 0) < page.progress;
  if (['complete', 'failed', 'cancelled'].includes(page.state)) return true;
  const rank = (state) => (stateOrder.includes(state) ? stateOrder.indexOf(state) : stateOrder.length);
  return rank(job.state) < rank(page.state);
}

function showJob(job) {
  if (job.job_id && job.job_id !== page.jobId) return;
  if (isStale(job)) return;
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
      item.textContent = `${entry.state.replace('_', ' ')} ${new Date(entry.at).toLocaleTimeString()}`;
      return item;
    }));
  }
  const cancel = $('cancel');
  if (!isRunning() && document.activeElement === cancel) $('start').focus();
  cancel.hidden = !isRunning();
  $('start').disabled = isRunning() || stems.length === 0;
  if (job.state === 'complete' && shownResult !== page.jobId) {
    shownResult = page.jobId;
    showResult(page.jobId, job.visual).catch((error) => {
      shownResult = null;
      showMixError(error);
    });
  }
  if (job.state === 'failed' || job.state === 'cancelled') {
    clearMeters(job.state === 'failed' ? 'the mix failed' : 'the mix was cancelled');
    if (job.state === 'failed') showMixError(new Error(job.error || 'the mix failed'));
  }
}

async function showResult(jobID, visual) {
  const data = visual || await api.summary(jobID);
  if (page.jobId !== jobID) return;
  if (data.target_lufs !== null && data.target_lufs !== undefined) setTargets(data.target_lufs, data.ceiling_dbtp);
  $('result').hidden = false;
  if (player.dataset.job !== jobID) {
    player.dataset.job = jobID;
    player.src = api.fileURL(jobID, 'mix');
  }
  const extension = data.format.startsWith('flac') ? 'flac' : 'wav';
  for (const [testid, file, name] of [['download-mix', 'mix', `mixdown-${data.recipe}.${extension}`],
    ['download-frames', 'frames', `mixdown-${data.recipe}.frames`], ['download-summary', 'summary', `mixdown-${data.recipe}.summary.json`]]) {
    $(testid).href = api.fileURL(jobID, file);
    $(testid).setAttribute('download', name);
  }
  renderReport($('report'), data, colourOf);
}

/** Follows a job: its status (progress, timeline) and its meter frames. */
function follow(job) {
  page.jobId = job.job_id;
  page.state = null;
  page.progress = 0;
  shownResult = null;
  reconnects = 0;
  if (job.options) targetsOfRecipe(job.options.recipe);
  $('result').hidden = true;
  showMixError(null);
  clearMeters('waiting for the mix');
  status.open(job.job_id);
  stream.open(job.job_id, { fps: 60 });
}

$('mix-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const start = $('start');
  if (start.disabled) return;
  start.disabled = true;
  showMixError(null);
  try {
    const options = { recipe: $('recipe').value, format: $('format').value, fps: Number($('fps').value) };
    const created = await api.startJob(options);
    stopPlayer();
    follow({ job_id: created.job_id, options });
    showJob({ job_id: created.job_id, state: 'queued', progress: 0, message: 'waiting for a worker' });
  } catch (error) {
    showMixError(error);
    start.disabled = stems.length === 0;
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

let creating = null;
/** The session, made once however many callers ask at the same time. */
function ensureSession() {
  if (api.session) return Promise.resolve(api.session);
  if (!creating) {
    creating = api.createSession().then((session) => {
      page.sessionId = session.id;
      $('session-label').textContent = 'a new session';
      return session;
    }).finally(() => { creating = null; });
  }
  return creating;
}

$('new-session').addEventListener('click', async () => {
  if ((stems.length || isRunning()) && !window.confirm('Start a new session? This one stays on the service, but this page will forget it.')) return;
  for (const upload of uploads) if (upload.started) upload.abort();
  uploads = [];
  refusals = [];
  stems = [];
  status.close();
  clearMeters('waiting for a mix');
  stopPlayer();
  api.forget();
  page.sessionId = null;
  page.jobId = null;
  page.state = null;
  page.progress = 0;
  shownResult = null;
  $('result').hidden = true;
  $('progress-block').hidden = true;
  showMixError(null);
  renderStems();
  try {
    await ensureSession();
  } catch (error) {
    showMixError(error);
  }
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
    targetsOfRecipe(list.default);
    const saved = api.savedSession();
    const session = saved ? await api.loadSession(saved) : null;
    if (session) {
      page.sessionId = session.session_id;
      $('session-label').textContent = 'your session (kept in this browser)';
      stems = session.stems;
      renderStems();
      const newest = session.jobs[0];
      if (newest) {
        if (newest.options) {
          for (const [id, value] of [['recipe', newest.options.recipe], ['format', newest.options.format], ['fps', String(newest.options.fps)]]) {
            if ([...$(id).options].some((option) => option.value === value)) $(id).value = value;
          }
          describeRecipe();
        }
        follow(newest);
        showJob(newest);
      }
    } else {
      // None saved, or the saved one is gone from the service: a new one.
      await ensureSession();
      renderStems();
    }
  } catch (error) {
    recordError(error);
    showMixError(new Error(`the service could not be reached (${error.message}); reload the page to try again`));
  }
}

start();
