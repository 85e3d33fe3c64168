// The realtime stream of a job's meter frames (docs/realtime-stream.md): binary frames read with
// typed arrays at the offsets the stream describes, no copy. Only the newest frame is kept; the
// page paints whatever is newest on its own clock.

const none = -32768;

/** A centi-dB value, or null for "none". */
function centi(value) { return value === none ? null : value / 100; }

/** A gain reduction in centi-dB; "none" reads 0 (nothing reduced). */
function reduction(value) { return value === none ? 0 : value / 100; }

/** Reads one binary message into a frame (views over the message's buffer); null when it is not one of this stream's. */
export function decodeFrame(buffer, description) {
  if (buffer.byteLength !== description.binary.message_bytes || buffer.byteLength < 40) return null;
  const view = new DataView(buffer);
  if (view.getUint32(0, false) !== 0x4d585254 /* MXRT */ || view.getUint16(4, true) !== 1) return null;
  const tracks = description.tracks.length;
  if (view.getUint16(36, true) !== tracks) return null;
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
      rms: centi(m[4 * t]), peak: centi(m[4 * t + 1]), compressorGR: reduction(m[4 * t + 2]), deEsserGR: reduction(m[4 * t + 3]),
    }));
    const base = 4 * tracks;
    frame.master = {
      busGR: reduction(m[base]), limiterGR: reduction(m[base + 1]), rms: centi(m[base + 2]), peak: centi(m[base + 3]),
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
  constructor(api, { onDescription, onJob, onPlayback, onError, onBye, onDrop } = {}) {
    this.api = api;
    this.handlers = { onDescription, onJob, onPlayback, onError, onBye, onDrop };
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
    let earliest = null;
    for (const frame of this.recent) {
      if (frame.mediaTime <= t + 1e-6 && (!chosen || frame.mediaTime >= chosen.mediaTime)) chosen = frame;
      if (!earliest || frame.mediaTime < earliest.mediaTime) earliest = frame;
    }
    // All ahead of the player (it has just started, or lags): the nearest of them.
    return chosen ?? earliest ?? this.latest;
  }

  open(jobID, { fps = 60, from = 0 } = {}) {
    this.close();
    this.jobID = jobID;
    this.latest = null;
    this.recent = [];
    this.description = null;
    const socket = new WebSocket(this.api.socketURL(`/ws/mix/realtime/${jobID}`, { fps: String(fps), from: String(from) }));
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      // 1000: the job ended without a mix, or the page closed it; 1001: the service is going away.
      // Anything else dropped the connection: the page may open it again.
      if (event.code !== 1000 && event.code !== 1001 && this.handlers.onDrop) this.handlers.onDrop(event.code);
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
      const frame = decodeFrame(data, this.description);
      if (!frame) {
        if (this.handlers.onError) this.handlers.onError(new Error('a meter frame did not match its stream; it was left out'));
        return;
      }
      this.latest = frame;
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
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      if (this.handlers.onError) this.handlers.onError(new Error('the meter stream sent a message that is not JSON'));
      return;
    }
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
      case 'bye':
        if (this.handlers.onBye) this.handlers.onBye(message.reason);
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
