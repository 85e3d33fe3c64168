# Shared set-up for ./mixdown, ./scripts/test and ./scripts/bench. Source it; do not run it.
# Installs what the build needs on a fresh Debian machine that has only the Swift toolchain,
# and only what is missing, so a second run costs a few milliseconds.

MIXDOWN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# How every build of ours is made: one configuration for the product, the tests and the
# benchmarks, so that one build serves all three and none rebuilds what another built.
# - release (whole-module optimization): the audio code is generic over its vector width, and
#   only a whole-module build specializes it everywhere; the tests run at the product's speed.
# - -enable-testing: the tests' `@testable import` in a release build.
# - -target-cpu native, and MIXDOWN_FMA where the CPU has fused multiply-add: the 8-lane true-peak
#   interpolators and the limiter run 2.5x faster with AVX2 and FMA than with baseline x86-64,
#   and the filters' recurrences take one instruction a step (without the instruction, a fused
#   multiply-add is a slow library call, so the define follows the CPU).
# Package.swift carries none of these: a package that depends on Mixdown by version builds it
# for the baseline instruction set, where its mixes can differ from ours in the last bit.
MIXDOWN_BUILD_FLAGS=(-c release -Xswiftc -enable-testing -Xswiftc -target-cpu -Xswiftc native)
if [[ "$(uname -m)" == "arm64" || "$(uname -m)" == "aarch64" ]] || grep -qw fma /proc/cpuinfo 2>/dev/null; then
  MIXDOWN_BUILD_FLAGS+=(-Xswiftc -DMIXDOWN_FMA)
fi

# The C libraries the package links (see the systemLibrary targets in Package.swift).
MIXDOWN_BUILD_PACKAGES=(pkg-config libsndfile1-dev libsoxr-dev libebur128-dev libfftw3-dev zlib1g-dev libzstd-dev libsqlite3-dev)

# Prints the packages among "$@" that dpkg does not list as installed.
missing_apt_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

# Installs the Debian packages among "$@" that are missing (apt-get update first, once).
ensure_apt_packages() {
  local missing
  missing=$(missing_apt_packages "$@")
  [[ -z "$missing" ]] && return 0
  local sudo=""
  [[ "$(id -u)" != "0" ]] && sudo="sudo"
  echo "mixdown: installing $(echo $missing | tr '\n' ' ')(apt-get)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing >&2
}

# Installs the Python modules among "$@" that python3 cannot import (pip, PyPI).
ensure_python_modules() {
  local module missing=()
  for module in "$@"; do
    python3 -c "import $module" 2>/dev/null || missing+=("$module")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "mixdown: installing ${missing[*]} (pip)…" >&2
  python3 -m pip install -q "${missing[@]}" >&2
}

ensure_build_dependencies() {
  ensure_apt_packages "${MIXDOWN_BUILD_PACKAGES[@]}"
}

# What the tests need beyond the build: Python's websockets (a non-Swift client of the sockets),
# and headless Chromium with its driver (Debian's, one source package: matching versions) and
# selenium (PyPI) for the web page.
ensure_test_dependencies() {
  ensure_python_modules websockets selenium
  ensure_apt_packages chromium chromium-driver || echo "scripts/test: Chromium could not be installed: the page tests will be skipped (each says so)." >&2
}

# Generates the corpus (the sessions and the EBU signals, from ../shared/corpus) once into a cache
# keyed by the generators' content, installing what the generators need, and exports its path
# as MIXDOWN_CORPUS (kept when already set). Without ../shared it does nothing: MIXDOWN_CORPUS
# stays unset unless the caller set it. (Call it as a command, not in a condition: `set -e`
# does not stop a function run as a condition when a generator fails.)
ensure_corpus() {
  local scripts="$MIXDOWN_ROOT/../shared/corpus"
  [[ -f "$scripts/gen_sessions.sh" ]] || return 0
  # Bad-input generator (run by the tests themselves, so installed even when the corpus is
  # cached): numpy, flac, lame. Session generator: see gen_sessions.sh.
  ensure_apt_packages flac lame sox libsox-fmt-all ffmpeg espeak-ng flite fluidsynth fluid-soundfont-gm
  ensure_python_modules numpy scipy soundfile pyworld mido pyloudnorm
  local key
  key=$(cat "$scripts"/*.py "$scripts"/*.sh | sha256sum | cut -c1-12)
  export MIXDOWN_CORPUS="${MIXDOWN_CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/mixdown/corpus-$key}"
  if [[ ! -f "$MIXDOWN_CORPUS/sessions/index.json" || ! -f "$MIXDOWN_CORPUS/ebu/expected.json" ]]; then
    echo "generating the corpus (sessions, EBU signals) into $MIXDOWN_CORPUS (once, about 2 minutes)…" >&2
    rm -rf "$MIXDOWN_CORPUS.partial"
    SKIP_INSTALL=1 ONLY=sessions bash "$scripts/gen_sessions.sh" "$MIXDOWN_CORPUS.partial" >/dev/null
    SKIP_INSTALL=1 ONLY=ebu bash "$scripts/gen_sessions.sh" "$MIXDOWN_CORPUS.partial" >/dev/null
    rm -rf "$MIXDOWN_CORPUS"
    mv "$MIXDOWN_CORPUS.partial" "$MIXDOWN_CORPUS"
  fi
}
