// The realtime stream of a job's meter frames (docs/realtime-stream.md): binary frames read with
// typed arrays at the offsets the stream describes, no copy. Only the newest frame is kept; the
// page paints whatever is newest on its own clock.

const none = -32768;

/** A centi-dB value, or null for "none". */
function centi(value) { return value === none ? null : value / 100; }

/** Reads one binary message into a frame (views over the message's buffer). */
export function decodeFrame(buffer, description) {
  const view = new DataView(buffer);
  const tracks = description.tracks.length;
  const sections = description.binary.sections;
  const frame = {
    sequence: view.getUint32(8, true),
    index: view.getUint32(12, true),
    mediaTime: view.getFloat64(16, true),
    sentAt: view.getFloat64(24, true),
    flags: view.getUint16(34, true),
  };
  frame.complete = (frame.flags & 1) !== 0;
  frame.replay = (frame.flags & 2) !== 0;
  if (sections.meters) {
    const m = new Int16Array(buffer, sections.meters.offset, 4 * tracks + 6);
    frame.tracks = Array.from({ length: tracks }, (_, t) => ({
      rms: centi(m[4 * t]), peak: centi(m[4 * t + 1]), compressorGR: m[4 * t + 2] / 100, deEsserGR: m[4 * t + 3] / 100,
    }));
    const base = 4 * tracks;
    frame.master = {
      busGR: m[base] / 100, limiterGR: m[base + 1] / 100, rms: centi(m[base + 2]), peak: centi(m[base + 3]),
      truePeak: centi(m[base + 4]),
    };
  }
  if (sections.loudness) {
    const l = new Int16Array(buffer, sections.loudness.offset, 6);
    frame.loudness = {
      momentary: centi(l[0]), shortTerm: centi(l[1]), integrated: centi(l[2]), range: centi(l[3]), truePeakMax: centi(l[4]),
    };
  }
  if (sections.spectra) {
    const offset = sections.spectra.offset;
    frame.spectra = {
      tracks: Array.from({ length: tracks }, (_, t) => new Uint8Array(buffer, offset + 256 * t, 256)),
      pre: new Uint8Array(buffer, offset + 256 * tracks, 256),
      post: new Uint8Array(buffer, offset + 256 * (tracks + 1), 256),
    };
  }
  if (sections.scope) {
    const offset = sections.scope.offset;
    const correlations = new Int16Array(buffer, offset, 4);
    const points = description.scope_points;
    const scope = (which) => ({
      correlation: correlations[which] / 32767,
      waveform: new Int8Array(buffer, offset + 8 + which * 3 * points, points),
      mid: new Int8Array(buffer, offset + 8 + which * 3 * points + points, points),
      side: new Int8Array(buffer, offset + 8 + which * 3 * points + 2 * points, points),
    });
    frame.scope = { pre: scope(0), post: scope(1), final: scope(2) };
  }
  return frame;
}

/** One job's realtime stream. */
export class FrameStream {
  constructor(api, { onDescription, onJob, onPlayback, onError } = {}) {
    this.api = api;
    this.handlers = { onDescription, onJob, onPlayback, onError };
    this.socket = null;
    this.description = null;
    this.latest = null;
    this.recent = [];
    this.received = 0;
    this.jobID = null;
  }

  /**
   * The frame to show at the player's time `t` in a replay: the latest received that starts at
   * or before it (the page asks the replay to run a little ahead, so the frame is there before
   * its time); the newest frame otherwise.
   */
  frameAt(t) {
    if (!this.latest || !this.latest.replay) return this.latest;
    let chosen = null;
    for (const frame of this.recent) {
      if (frame.mediaTime <= t + 1e-6 && (!chosen || frame.mediaTime >= chosen.mediaTime)) chosen = frame;
    }
    return chosen ?? this.latest;
  }

  open(jobID, { fps = 60, from = 0 } = {}) {
    this.close();
    this.jobID = jobID;
    this.latest = null;
    this.recent = [];
    const socket = new WebSocket(this.api.socketURL(`/ws/mix/realtime/${jobID}`, { fps: String(fps), from: String(from) }));
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      // 1000: the job ended without a mix, or the page closed it; 1001: the service is going away.
      if (event.code !== 1000 && event.code !== 1001 && event.code !== 1005 && this.handlers.onError) {
        this.handlers.onError(new Error(`the meter stream closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`));
      }
    };
    this.socket = socket;
  }

  close() {
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000);
    }
  }

  receive(data) {
    if (typeof data !== 'string') {
      if (!this.description || !this.description.binary) return;
      this.latest = decodeFrame(data, this.description);
      // A few frames of a replay are kept, the page showing each at its time (never a queue:
      // the oldest goes as each new one comes, and a seek starts over).
      if (this.latest.replay) {
        const last = this.recent[this.recent.length - 1];
        if (last && Math.abs(this.latest.mediaTime - last.mediaTime) > 1) this.recent = [];
        this.recent.push(this.latest);
        if (this.recent.length > 8) this.recent.shift();
      } else {
        this.recent = [];
      }
      this.received += 1;
      return;
    }
    const message = JSON.parse(data);
    switch (message.type) {
      case 'stream':
        this.description = message;
        if (this.handlers.onDescription) this.handlers.onDescription(message);
        break;
      case 'job':
        if (this.handlers.onJob) this.handlers.onJob(message);
        break;
      case 'playback':
        if (this.handlers.onPlayback) this.handlers.onPlayback(message);
        break;
      case 'error':
        if (this.handlers.onError) this.handlers.onError(new Error(message.error.message));
        break;
      default:
        break;
    }
  }

  /** Keeps the replay in step with a player: `play`, `pause` or `seek` at `seconds`. */
  control(kind, seconds) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ [kind]: Math.max(0, seconds) }));
    }
  }
}
