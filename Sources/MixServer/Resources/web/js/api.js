// The service's HTTP API, as the page uses it: a session kept across reloads (its id and token in
// the URL's fragment and in localStorage), JSON in and out, errors as the service words them.

const storageKey = 'mixdown.session';

/** An error the service answered, with its message for the user. */
export class ServiceError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error.message : `the service answered ${status}`);
    this.status = status;
    this.code = body && body.error ? body.error.code : `http_${status}`;
    this.field = body && body.error ? body.error.field : undefined;
  }
}

export class API {
  constructor() {
    this.session = null;
  }

  /** The session saved by this browser (fragment first, then localStorage), or null. */
  savedSession() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get('session') && fragment.get('token')) return { id: fragment.get('session'), token: fragment.get('token') };
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey) || 'null');
      if (saved && saved.id && saved.token) return saved;
    } catch {
      // A damaged entry is as good as none.
    }
    return null;
  }

  remember(session) {
    this.session = session;
    try {
      localStorage.setItem(storageKey, JSON.stringify(session));
    } catch {
      // Private browsing: the fragment still carries it.
    }
    history.replaceState(null, '', `#session=${encodeURIComponent(session.id)}&token=${encodeURIComponent(session.token)}`);
  }

  forget() {
    this.session = null;
    try { localStorage.removeItem(storageKey); } catch { /* nothing to remove */ }
    history.replaceState(null, '', location.pathname);
  }

  async request(method, path, body) {
    const headers = {};
    if (this.session) headers.Authorization = `Bearer ${this.session.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json = null;
    if (text) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    if (!response.ok) throw new ServiceError(response.status, json);
    return json;
  }

  async createSession() {
    const created = await this.request('POST', '/api/sessions');
    this.remember({ id: created.session_id, token: created.token });
    return this.session;
  }

  /** The saved session as the service has it, or null when it is gone. */
  async loadSession(saved) {
    this.session = saved;
    try {
      const session = await this.request('GET', `/api/sessions/${saved.id}`);
      this.remember(saved);
      return session;
    } catch (error) {
      if (error instanceof ServiceError && (error.status === 404 || error.status === 401)) {
        this.forget();
        return null;
      }
      throw error;
    }
  }

  recipes() { return this.request('GET', '/api/recipes'); }
  stems() { return this.request('GET', `/api/sessions/${this.session.id}/stems`); }
  changeStem(stemID, change) { return this.request('PATCH', `/api/sessions/${this.session.id}/stems/${stemID}`, change); }
  deleteStem(stemID) { return this.request('DELETE', `/api/sessions/${this.session.id}/stems/${stemID}`); }
  startJob(options) { return this.request('POST', `/api/sessions/${this.session.id}/jobs`, options); }
  job(jobID) { return this.request('GET', `/api/jobs/${jobID}`); }
  cancelJob(jobID) { return this.request('POST', `/api/jobs/${jobID}/cancel`); }
  summary(jobID) { return this.request('GET', `/api/jobs/${jobID}/summary`); }

  /** A URL of a job's file that a link or an `<audio>` element can load (the token in the query). */
  fileURL(jobID, file) {
    return `/api/jobs/${jobID}/${file}?token=${encodeURIComponent(this.session.token)}`;
  }

  /** A socket URL of this page's origin. */
  socketURL(path, query = {}) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const parameters = new URLSearchParams({ token: this.session.token, ...query });
    return `${scheme}//${location.host}${path}?${parameters}`;
  }

  /** Uploads a file as a stem with progress; returns {promise, abort}. */
  upload(file, onProgress) {
    const request = new XMLHttpRequest();
    const promise = new Promise((resolve, reject) => {
      request.open('PUT', `/api/sessions/${this.session.id}/stems?name=${encodeURIComponent(file.name)}`);
      request.setRequestHeader('Authorization', `Bearer ${this.session.token}`);
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      request.onload = () => {
        let json = null;
        try { json = JSON.parse(request.responseText); } catch { json = null; }
        if (request.status >= 200 && request.status < 300) resolve(json);
        else reject(new ServiceError(request.status, json));
      };
      request.onerror = () => reject(new ServiceError(0, { error: { code: 'network', message: 'the upload could not reach the service' } }));
      request.onabort = () => reject(new ServiceError(0, { error: { code: 'cancelled', message: 'upload cancelled' } }));
      request.send(file);
    });
    return { promise, abort: () => request.abort() };
  }
}
