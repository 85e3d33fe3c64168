"""Mixes a session the way a Python developer would with Spotify's pedalboard: each stem streamed
in 8192-frame blocks through `AudioFile` and a per-role chain of the stages pedalboard has
(high-pass, peak EQ, compressor, gain, high shelf; M/S width in numpy), summed, the bus chain
(EQ, bus compressor, width), the bus's loudness measured with pyloudnorm (BS.1770), the gain to
-14 LUFS, pedalboard's limiter with its output at -1 dBFS, written as 24-bit WAV. Used by scripts/bench mix as a
peer: same input, same stages, timed in the same run.

usage: pedalboard_mix.py SESSION_DIR OUTPUT.wav
"""
import os
import sys

import numpy as np
import pyloudnorm
from pedalboard import Compressor, Gain, HighpassFilter, HighShelfFilter, Limiter, PeakFilter, Pedalboard
from pedalboard.io import AudioFile

from peer_roles import role

BLOCK = 8192
TARGET_LUFS = -14.0
CEILING_DB = -1.0

# Per role: Mixdown's preset stages that pedalboard has, and the stereo width.
CHAINS = {
    "lead": (lambda: [HighpassFilter(90), PeakFilter(280, -2.5, 1), PeakFilter(3200, 2, 0.9),
                      Compressor(-20, 3.5, 5, 90), Gain(1.5), HighShelfFilter(11000, 2)], 1.0),
    "double": (lambda: [HighpassFilter(140), PeakFilter(320, -3, 1), Compressor(-22, 4, 3, 80), Gain(3.5 - 6)], 1.6),
    "harmony": (lambda: [HighpassFilter(160), PeakFilter(400, -3, 1), Compressor(-22, 3, 8, 120), Gain(3 - 8)], 1.8),
    "adlib": (lambda: [HighpassFilter(180), PeakFilter(2800, 2, 1.2), Compressor(-20, 4, 3, 70), Gain(5 - 7)], 1.0),
    "beat": (lambda: [HighpassFilter(28), PeakFilter(2800, -1.5, 1.2), Compressor(-12, 1.5, 25, 200)], 1.0),
}


def widen(block, width):
    """M/S width on a (2, n) block."""
    if width == 1.0:
        return block
    mid = 0.5 * (block[0] + block[1])
    side = 0.5 * (block[0] - block[1]) * width
    return np.stack([mid + side, mid - side])


def stereo(block):
    return np.repeat(block, 2, axis=0) if block.shape[0] == 1 else block[:2]


session, output = sys.argv[1:3]
stems = sorted(f for f in os.listdir(session) if f.lower().endswith((".wav", ".flac", ".aiff", ".mp3")))
files = [AudioFile(os.path.join(session, f)) for f in stems]
rate = files[0].samplerate
frame_count = max(f.frames for f in files)
chains = [(Pedalboard(CHAINS[role(f)][0]()), CHAINS[role(f)][1]) for f in stems]
bus_chain = Pedalboard([Gain(-6), HighpassFilter(22), PeakFilter(110, 0.5, 0.7), PeakFilter(350, -0.5, 0.8),
                        Compressor(-20, 2, 30, 200)])

# Pass 1: the stems through their chains, summed, the bus chain; kept to measure and master.
bus = np.zeros((2, frame_count), dtype=np.float32)
for start in range(0, frame_count, BLOCK):
    n = min(BLOCK, frame_count - start)
    mix = np.zeros((2, n), dtype=np.float32)
    for file, (chain, width) in zip(files, chains):
        block = file.read(n) if file.tell() < file.frames else np.zeros((file.num_channels, 0), np.float32)
        if block.shape[1] < n:
            block = np.pad(block, ((0, 0), (0, n - block.shape[1])))
        mix += widen(chain(stereo(block), rate, reset=False), width)
    bus[:, start:start + n] = widen(bus_chain(mix, rate, reset=False), 1.15)
for file in files:
    file.close()

# The master: the gain to the target from the bus's loudness, the limiter, 24-bit out.
# pedalboard's limiter (JUCE's) clips at full scale after its makeup: at a 0 dB threshold it
# holds 0 dBFS, and the gain after it brings that to the ceiling.
gain_db = TARGET_LUFS - pyloudnorm.Meter(rate).integrated_loudness(bus.T)
master = Pedalboard([Gain(gain_db - CEILING_DB), Limiter(threshold_db=0, release_ms=100), Gain(CEILING_DB)])
with AudioFile(output, "w", rate, 2, bit_depth=24) as out:
    for start in range(0, frame_count, BLOCK):
        out.write(master(bus[:, start:start + BLOCK], rate, reset=False))
