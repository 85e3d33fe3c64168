"""The role of a stem from its file name, as the benchmark peers (ffmpeg_mix.py,
pedalboard_mix.py) take it: the few words the corpus names use; anything else is the lead."""


def role(name):
    lower = name.lower()
    for word, found in (("dbl", "double"), ("double", "double"), ("harm", "harmony"), ("adlib", "adlib"),
                        ("beat", "beat"), ("lead", "lead")):
        if word in lower:
            return found
    return "lead"
