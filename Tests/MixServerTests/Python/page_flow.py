"""The web page in a real browser (headless Chromium from Debian, driven by selenium), as the tests
run it:

    page_flow.py BASE_URL STEMS_DIR BAD_FILE SHOTS_DIR

Drops the stems and a bad file on the page, changes a role, starts the mix, watches the meters
move, plays the mix with the meters in step, seeks, pauses, downloads, reloads; takes screenshots
at 1280×800 and 390×844 into SHOTS_DIR; prints what it measured as one JSON object (the Swift
test holds it to the issue's checks). Any step that cannot happen raises, with the step named.
"""
import hashlib
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

base, stems_dir, bad_file, shots = sys.argv[1:5]
result = {"steps": []}


def step(name):
    result["steps"].append(name)


def wait(description, condition, timeout=120, every=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = condition()
        except StaleElementReferenceException:
            value = None  # the rows were drawn again meanwhile: look again
        if value:
            return value
        time.sleep(every)
    raise RuntimeError(f"timed out waiting for {description}")


def state():
    return driver.execute_script("return JSON.parse(JSON.stringify(window.mixdown || null))")


def canvas_digest(testid):
    """A digest of what a canvas shows (its PNG, read without touching its pixels' context)."""
    image = driver.execute_script(
        "return document.querySelector(`[data-testid=\"${arguments[0]}\"]`).toDataURL('image/png')", testid)
    return hashlib.sha256(image.encode()).hexdigest()


options = webdriver.ChromeOptions()
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--window-size=1280,943"):
    options.add_argument(flag)
options.binary_location = "/usr/bin/chromium"
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_window_size(1280, 800 + 143)
console = []

try:
    driver.get(base + "/")
    wait("the session", lambda: (state() or {}).get("sessionId"))
    session_id = state()["sessionId"]
    step("opened")

    # Stems in: the demo session and one bad file, given to the file input at once.
    files = sorted(os.path.join(stems_dir, name) for name in os.listdir(stems_dir))
    driver.find_element(By.CSS_SELECTOR, '[data-testid="stem-input"]').send_keys("\n".join(files + [bad_file]))
    wait("five stem rows", lambda: len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stem-row"]')) == len(files))
    wait("the bad file's reason", lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stem-error"]'))
    result["bad_file_message"] = driver.find_element(By.CSS_SELECTOR, '[data-testid="stem-error"]').text
    step("uploaded")

    # One role changed: the harmony made a double.
    def harmony_row():
        for row in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stem-row"]'):
            if "Harm" in row.text:
                return row
        return None
    wait("the uploads to settle", lambda: not driver.find_elements(By.CSS_SELECTOR, "[data-upload]"))
    time.sleep(0.3)
    wait("the role picked", lambda: Select(harmony_row().find_element(By.CSS_SELECTOR, '[data-testid="role"]')).select_by_value("double") or True)
    wait("the role stored", lambda: Select(harmony_row().find_element(By.CSS_SELECTOR, '[data-testid="role"]')).first_selected_option.get_attribute("value") == "double"
         and not harmony_row().find_elements(By.CSS_SELECTOR, ".guessed"))
    result["changed_role"] = "double"
    step("role changed")

    # The recipe picker shows targets and ceilings.
    recipe = Select(driver.find_element(By.CSS_SELECTOR, '[data-testid="recipe"]'))
    result["recipes"] = [option.text for option in recipe.options]
    Select(driver.find_element(By.ID, "fps")).select_by_value("30")
    driver.find_element(By.CSS_SELECTOR, '[data-testid="start"]').click()
    step("started")

    # While it renders: the meters move (pixels differ between two moments).
    wait("live frames", lambda: (state() or {}).get("framesDrawn", 0) >= 2, timeout=60, every=0.02)
    first = {testid: canvas_digest(testid) for testid in ("meters", "spectrum", "scope", "loudness")}
    time.sleep(0.15)
    second = {testid: canvas_digest(testid) for testid in ("meters", "spectrum", "scope", "loudness")}
    result["live_changed"] = {testid: first[testid] != second[testid] for testid in first}
    result["live_states"] = state()["state"]
    step("watched live")

    wait("the mix to complete", lambda: (state() or {}).get("state") == "complete", timeout=180)
    wait("the report", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#report tbody tr")) >= 5)
    result["report_rows"] = len(driver.find_elements(By.CSS_SELECTOR, "#report tbody tr"))
    result["report_text"] = driver.find_element(By.ID, "report").text
    job_id = state()["jobId"]
    step("complete")

    # Play, in step.
    driver.execute_script("document.querySelector('[data-testid=player]').play()")
    wait("the player playing", lambda: driver.execute_script(
        "const p = document.querySelector('[data-testid=player]'); return !p.paused && p.currentTime > 0.5"), timeout=30)
    drawn = state()["framesDrawn"]
    time.sleep(1.0)
    result["frames_drawn_while_playing"] = state()["framesDrawn"] - drawn

    def sync_error():
        # The frame on screen and the player's time when it was painted (one animation frame).
        return driver.execute_script(
            "const p = document.querySelector('[data-testid=player]');"
            "return await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() =>"
            " resolve([window.mixdown.lastFrameTime, window.mixdown.audioTime, p.paused]))));")

    playing = []
    for _ in range(10):
        time.sleep(0.1)
        frame_time, audio_time, _ = sync_error()
        playing.append(audio_time - frame_time)
    result["playing_offsets"] = playing

    # Seek to 10 s while playing.
    driver.execute_script("document.querySelector('[data-testid=player]').currentTime = 10")
    wait("the seek", lambda: driver.execute_script(
        "const p = document.querySelector('[data-testid=player]'); return !p.seeking && p.currentTime >= 10"), timeout=20)
    # The replay starts again from the new place; the meters come back in step within a moment
    # (how long is reported) and stay there.
    sought = time.time()
    period = 1 / 30
    wait("the meters in step after the seek", lambda: (lambda f, a, _: f >= 10 - period and -0.002 <= a - f < period)(
        *sync_error()), timeout=10, every=0.02)
    result["seek_settled_s"] = round(time.time() - sought, 3)
    after_seek = []
    for _ in range(10):
        time.sleep(0.1)
        frame_time, audio_time, _ = sync_error()
        after_seek.append([frame_time, audio_time])
    result["after_seek"] = after_seek
    step("played and sought")

    # Pause: the meters stop on the player's position.
    driver.execute_script("document.querySelector('[data-testid=player]').pause()")
    time.sleep(0.5)
    paused_drawn = state()["framesDrawn"]
    time.sleep(0.6)
    frame_time, audio_time, paused = sync_error()
    result["paused"] = {"still": state()["framesDrawn"] == paused_drawn, "offset": audio_time - frame_time, "paused": paused}
    step("paused")

    # Downloads: the link's bytes are the mix route's.
    token = driver.execute_script("return new URLSearchParams(location.hash.slice(1)).get('token')")
    link = driver.find_element(By.CSS_SELECTOR, '[data-testid="download-mix"]').get_attribute("href")
    with urllib.request.urlopen(link) as response:
        linked = response.read()
    request = urllib.request.Request(f"{base}/api/jobs/{job_id}/mix", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        routed = response.read()
    result["download_equal"] = hashlib.sha256(linked).hexdigest() == hashlib.sha256(routed).hexdigest() and len(linked) > 1000
    for testid in ("download-frames", "download-summary"):
        href = driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]').get_attribute("href")
        with urllib.request.urlopen(href) as response:
            result[testid] = response.status
    step("downloaded")

    # Keyboard: the controls are reached with Tab, and focus shows.
    driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    reached = set()
    body = driver.find_element(By.TAG_NAME, "body")
    for _ in range(60):
        body.send_keys(Keys.TAB)
        info = driver.execute_script(
            "const e = document.activeElement; const s = getComputedStyle(e);"
            "return [e.dataset.testid || e.id || e.tagName, s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];")
        reached.add(info[0])
        if not info[1] and info[0] not in ("BODY",):
            result.setdefault("focus_without_outline", []).append(info[0])
    result["tab_reached"] = sorted(reached)
    step("keyboard")

    # Contrast of the text on its panel (WCAG AA: 4.5 for body text).
    result["contrast"] = driver.execute_script(
        """
        function luminance(rgb) {
          const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
        function background(element) {
          for (let e = element; e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
          }
          return 'rgb(15, 18, 22)';
        }
        const out = [];
        for (const element of document.querySelectorAll('h1, h2, p, td, th, label, button, a, span.muted, figcaption')) {
          if (!element.offsetParent || !element.textContent.trim()) continue;
          const a = luminance(getComputedStyle(element).color), b = luminance(background(element));
          out.push(Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100);
        }
        return Math.min(...out);
        """)

    # Screenshots, and no sideways scrolling, at both sizes.
    driver.save_screenshot(os.path.join(shots, "desktop-1280x800.png"))
    result["desktop_overflow"] = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    driver.set_window_size(390, 844 + 143)
    time.sleep(0.6)
    driver.save_screenshot(os.path.join(shots, "phone-390x844.png"))
    result["phone_overflow"] = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    result["phone_width"] = driver.execute_script("return window.innerWidth")
    result["phone_overflowing"] = driver.execute_script(
        "return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".slice(0, 8).map((e) => `${e.tagName}#${e.id}.${e.className}`)")
    driver.set_window_size(1280, 800 + 143)
    step("screenshots")

    # A reload finds the session again.
    driver.refresh()
    wait("the session again", lambda: (state() or {}).get("sessionId"))
    wait("the stems again", lambda: len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stem-row"]')) == len(files))
    wait("the mix again", lambda: (state() or {}).get("state") == "complete" and driver.find_element(By.ID, "result").is_displayed())
    result["reload"] = {"same_session": state()["sessionId"] == session_id, "job": state()["jobId"] == job_id}
    driver.save_screenshot(os.path.join(shots, "desktop-after-reload.png"))
    step("reloaded")

    result["errors"] = state()["errors"]
finally:
    try:
        console = [entry for entry in driver.get_log("browser")]
    except Exception as error:  # noqa: BLE001 - the log is best effort when the browser is gone
        console = [{"level": "SEVERE", "message": f"could not read the console: {error}"}]
    driver.quit()
    # The browser itself logs the 422 the bad file gets on purpose ("Failed to load resource");
    # that line is the test's doing, not the page's. Anything else counts.
    expected = f"stems?name={os.path.basename(bad_file)} - Failed to load resource: the server responded with a status of 422"
    result["console"] = [f"{entry['level']}: {entry['message']}" for entry in console
                         if entry["level"] in ("SEVERE", "WARNING") and expected not in entry["message"]]
    print(json.dumps(result))
