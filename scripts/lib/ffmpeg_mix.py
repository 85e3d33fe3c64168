"""Prints a shell script that mixes a session with FFmpeg's nearest equivalent of Mixdown's
chain: per stem highpass / equalizer / acompressor / deesser / extrastereo by role, amix, the
bus equalizer and acompressor, then two-pass loudnorm to -14 LUFS / -1 dBTP (Debian's ffmpeg).
Used by scripts/bench mix as the peer: same input, same stages, timed in the same run.

usage: ffmpeg_mix.py SESSION_DIR OUTPUT.wav WORK_DIR
"""
import os
import shlex
import sys

from peer_roles import role

session, output, work = sys.argv[1:4]

# Per role: the stages of Mixdown's presets that FFmpeg has (thresholds in linear amplitude).
CHAINS = {
    "lead": "highpass=f=90,equalizer=f=280:t=q:w=1:g=-2.5,equalizer=f=3200:t=q:w=0.9:g=2,"
            "acompressor=threshold=0.1:ratio=3.5:attack=5:release=90:makeup=1.19,deesser,"
            "treble=g=2:f=11000",
    "double": "highpass=f=140,equalizer=f=320:t=q:w=1:g=-3,"
              "acompressor=threshold=0.079:ratio=4:attack=3:release=80:makeup=1.5,volume=-6dB,deesser,"
              "extrastereo=m=1.6",
    "harmony": "highpass=f=160,equalizer=f=400:t=q:w=1:g=-3,"
               "acompressor=threshold=0.079:ratio=3:attack=8:release=120:makeup=1.41,volume=-8dB,deesser,"
               "extrastereo=m=1.8",
    "adlib": "highpass=f=180,equalizer=f=2800:t=q:w=1.2:g=2,"
             "acompressor=threshold=0.1:ratio=4:attack=3:release=70:makeup=1.78,volume=-7dB,deesser",
    "beat": "highpass=f=28,equalizer=f=2800:t=q:w=1.2:g=-1.5,"
            "acompressor=threshold=0.25:ratio=1.5:attack=25:release=200",
}


stems = sorted(f for f in os.listdir(session) if f.lower().endswith(".wav"))
inputs = " ".join(f"-i {shlex.quote(os.path.join(session, f))}" for f in stems)
graph = ";".join(
    f"[{i}:a]aformat=sample_fmts=fltp:channel_layouts=stereo,{CHAINS[role(f)]}[s{i}]" for i, f in enumerate(stems))
mix = "".join(f"[s{i}]" for i in range(len(stems)))
bus = (f"{mix}amix=inputs={len(stems)}:normalize=0,volume=-6dB,highpass=f=22,"
       "equalizer=f=110:t=q:w=0.7:g=0.5,equalizer=f=350:t=q:w=0.8:g=-0.5,"
       "acompressor=threshold=0.1:ratio=2:attack=30:release=200,extrastereo=m=1.15")
measure = os.path.join(work, "loudnorm.json")
print("set -e")
print(f"ffmpeg -nostdin -hide_banner -nostats -y {inputs} -filter_complex "
      f"{shlex.quote(graph + ';' + bus + ',loudnorm=I=-14:TP=-1:LRA=11:print_format=json')} "
      f"-f null - 2> {shlex.quote(measure)}")
print(f"""read -r mi mtp mlra mth off < <(python3 -c '
import json, sys
text = open(sys.argv[1]).read()
data = json.loads(text[text.rfind("{{"):])
print(data["input_i"], data["input_tp"], data["input_lra"], data["input_thresh"], data["target_offset"])
' {shlex.quote(measure)})""")
print(f"ffmpeg -nostdin -hide_banner -nostats -loglevel error -y {inputs} -filter_complex "
      f"\"{graph};{bus},loudnorm=I=-14:TP=-1:LRA=11:measured_I=$mi:measured_TP=$mtp:measured_LRA=$mlra:"
      f"measured_thresh=$mth:offset=$off:linear=true,aresample=48000\" -c:a pcm_s24le {shlex.quote(output)}")
