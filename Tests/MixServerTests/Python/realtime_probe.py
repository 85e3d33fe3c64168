"""A non-Swift client of Mixdown's sockets (Python's `websockets`), as the tests run it.

    realtime_probe.py PORT JOB TOKEN OTHER_TOKEN

Tries the refused upgrades of both sockets, then reads a replay of JOB's realtime stream the
way a browser would (typed arrays at the offsets the stream describes), pauses it, and prints
what it saw as one JSON object.
"""
import asyncio
import json
import struct
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus


async def refusal(url):
    try:
        async with connect(url):
            return {"status": 101}
    except InvalidStatus as error:
        body = error.response.body or b""
        try:
            field = json.loads(body)["error"].get("field")
        except ValueError:
            field = "not json: %r" % body[:60]
        return {"status": error.response.status_code, "field": field}


async def replay(base, job, token):
    seen = {"frames": 0, "sections": {}, "aligned": True, "meters_ok": True, "correlation_ok": True, "playback": None}
    async with connect(f"{base}/ws/mix/realtime/{job}?token={token}&fps=30", max_size=None) as socket:
        description = None
        async for message in socket:
            if isinstance(message, str):
                text = json.loads(message)
                if text["type"] == "stream":
                    description = text
                    seen["mode"] = text["mode"]
                    seen["sections"] = text["binary"]["sections"]
                elif text["type"] == "playback":
                    seen["playback"] = text
                    break
                continue
            layout = description["binary"]["sections"]
            tracks = len(description["tracks"])
            data = memoryview(message)
            magic, version, prefix = bytes(data[0:4]), *struct.unpack_from("<HH", data, 4)
            seen["magic"], seen["version"] = magic.decode(), version
            for section in layout.values():
                seen["aligned"] &= section["offset"] % 8 == 0
            # The way a browser reads it: Int16Array / Int8Array views at the section offsets.
            meters = data[layout["meters"]["offset"]:][: layout["meters"]["bytes"]].cast("h")
            for track in range(tracks):
                rms, peak = meters[4 * track], meters[4 * track + 1]
                for value in (rms, peak):
                    seen["meters_ok"] &= value == -32768 or -12000 <= value <= 0
            scope = data[layout["scope"]["offset"]:][:8].cast("h")
            for correlation in scope[:3]:
                seen["correlation_ok"] &= -32767 <= correlation <= 32767
            seen["frames"] += 1
            if seen["frames"] == 20:
                await socket.send(json.dumps({"pause": 1.0}))
    return seen


async def main():
    port, job, token, other = sys.argv[1:5]
    base = f"ws://127.0.0.1:{port}"
    result = {
        "realtime_no_token": await refusal(f"{base}/ws/mix/realtime/{job}"),
        "realtime_other_token": await refusal(f"{base}/ws/mix/realtime/{job}?token={other}"),
        "realtime_bad_fps": await refusal(f"{base}/ws/mix/realtime/{job}?token={token}&fps=100"),
        "realtime_bad_channels": await refusal(f"{base}/ws/mix/realtime/{job}?token={token}&channels=levels"),
        "status_no_token": await refusal(f"{base}/ws/mix/status/{job}"),
        "status_other_token": await refusal(f"{base}/ws/mix/status/{job}?token={other}"),
        "replay": await replay(base, job, token),
    }
    print(json.dumps(result))


asyncio.run(main())
