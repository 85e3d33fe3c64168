// A job's status socket: its state, progress, message, timeline and, at the end, the summary.

export class StatusWatch {
  constructor(api, onStatus, onError) {
    this.api = api;
    this.onStatus = onStatus;
    this.onError = onError;
    this.socket = null;
  }

  open(jobID) {
    this.close();
    const socket = new WebSocket(this.api.socketURL(`/ws/mix/status/${jobID}`));
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        this.onError(new Error('the status socket sent a message that is not JSON'));
        return;
      }
      this.onStatus(message);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      if (event.code === 1001 && this.onError) this.onError(new Error('the service is restarting; reload the page in a moment'));
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
}
