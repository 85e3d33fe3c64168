// One requestAnimationFrame loop for the whole page (wavesurfer's scheduler is the model): it
// asks for the next frame before calling the painters, so a painter that throws never stops the
// loop (its error is recorded, once per painter and message).

const painters = new Set();
let running = false;
const reported = new Set();

/** Paints `painter(now)` on every animation frame until the returned function is called. */
export function onFrame(painter) {
  painters.add(painter);
  if (!running) {
    running = true;
    requestAnimationFrame(tick);
  }
  return () => painters.delete(painter);
}

/** Errors met while painting go here (the page shows them in `window.mixdown.errors`). */
export let reportError = (error) => console.error(error);
export function setErrorReporter(report) { reportError = report; }

function tick(now) {
  requestAnimationFrame(tick);
  for (const painter of painters) {
    try {
      painter(now);
    } catch (error) {
      const key = `${painter.name}:${error && error.message}`;
      if (!reported.has(key)) {
        reported.add(key);
        reportError(error);
      }
    }
  }
}
