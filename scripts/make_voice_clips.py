"""Generate the voice clips with espeak-ng and sox: the lobby display's calls (display_ui/sounds/default/*.wav) and
the kiosk's and tablet's voice guidance phrases (shared_ui/sounds/guidance/*.wav, server/core/guidance.py, read
more slowly).

Every key in server.core.announcements.CLIP_TEXT becomes `<key>.wav`: speech from espeak-ng's Northern Vietnamese
voice at 170 words/min, trimmed of the engine's silence and given a short pad, as 16 kHz mono 16-bit PCM; plus a
synthesized two-tone chime and a 0.7 s pause. The files are committed, so the display needs neither internet nor
espeak at run time.
Output is deterministic: running this again gives byte-identical files.

    .venv/bin/python scripts/make_voice_clips.py [--voice vi] [--speed 170] [--out display_ui/sounds/default]
    .venv/bin/python scripts/make_voice_clips.py --center center.toml --out /srv/hangdoi/voice   # the names

With --center, only the names of that center's departments, services, priority groups and rating levels are made
(the server otherwise makes each with plain espeak-ng the first time a kiosk asks for it), trimmed like the rest,
into a folder HANGDOI_VOICE_DIR can point at; the listing says which file speaks which name.

Needs the Debian packages espeak-ng and sox.
"""

from __future__ import annotations

import argparse
import array
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.core.announcements import (  # noqa: E402
    CHIME,
    CLIP_TEXT,
    LETTER_NAMES,
    NUMBER_WORD_KEYS,
    PAUSE,
    PHRASES,
    letter_key,
)
from server.core.center import load_center  # noqa: E402
from server.core.guidance import GUIDANCE_SPEED, GUIDANCE_TEXT, spoken_names  # noqa: E402

DEFAULT_OUT = ROOT / "display_ui" / "sounds" / "default"
GUIDANCE_OUT = ROOT / "shared_ui" / "sounds" / "guidance"  # the kiosk's and tablet's phrases, apart from the calls
RATE = 16000          # Hz; espeak-ng's formant voice has little above 8 kHz worth the doubled size
VOICE = "vi"          # Northern: the broadcast standard, and our wording (lẻ, nghìn) is Northern
# Words per minute (espeak-ng's default is 175). Clips are spoken one word or phrase at a time, and a word said alone
# is longer than in running speech, so the assembled call is much slower than this setting suggests: at 170 the
# call "Kính mời … A không hai mươi lăm đến quầy số năm" lasts about 4.6 s (≈3.5 syllables/s), against 3.65 s
# for the same sentence synthesized in one go at 175 (≈0.8×); at 150 it would drag to 5.4 s (≈3 syllables/s).
SPEED = 170
PAUSE_SECONDS = 0.7

# What espeak-ng is given when the clip's text, read literally, comes out wrong.
SPEAK_AS = {
    # espeak-ng reads "gi" alone as a bare consonant; Northern "di" is the same /zi/.
    letter_key("J"): "di",
}

# Silence kept (seconds) before and after the speech in each kind of clip, so that clips played back to back
# sound like one sentence: words run on, a letter is set off a little, "Xin nhắc lại," carries its comma.
PADS = {"word": (0.01, 0.02), "letter": (0.01, 0.08), "phrase": (0.02, 0.05)}
PADS_BY_KEY = {"xin-nhac-lai": (0.02, 0.25)}


def pad_for(key: str) -> tuple[float, float]:
    if key in PADS_BY_KEY:
        return PADS_BY_KEY[key]
    if key in PHRASES or key in GUIDANCE_TEXT or key.startswith("name-"):
        return PADS["phrase"]
    if key.startswith("letter-"):
        return PADS["letter"]
    return PADS["word"]


def speak(key: str, text: str, out: Path, voice: str, speed: int, workdir: Path) -> None:
    """espeak-ng → raw 22050 Hz WAV → sox: trim silence at both ends, soften the edges, pad, resample to 16 kHz."""
    raw = workdir / f"{key}.raw.wav"
    spoken = SPEAK_AS.get(key, text.replace("-", " "))
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), spoken], check=True)
    trimmed = workdir / f"{key}.trimmed.wav"
    # espeak-ng's own silence is digital zero, so a very low threshold trims it without eating soft consonants.
    subprocess.run(["sox", "-D", str(raw), str(trimmed), "silence", "1", "0.005", "0.05%",
                    "reverse", "silence", "1", "0.005", "0.05%", "reverse"], check=True)
    head, tail = pad_for(key)
    subprocess.run(
        ["sox", "-D", str(trimmed), "-b", "16", "-c", "1", "-r", str(RATE), str(out),
         "fade", "t", "0.004", "-0", "0.008",       # no click where speech starts or stops at full level
         "gain", "-2",                               # the same for every clip: headroom, no clipping on resampling
         "pad", str(head), str(tail), "rate", "-v", str(RATE)],
        check=True)


def write_wav(path: Path, samples: list[float]) -> None:
    pcm = array.array("h", (max(-32767, min(32767, round(s * 32767))) for s in samples))
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def chime_samples() -> list[float]:
    """A soft two-tone 'ding-dong' (E5 then C5, a major third down), like a struck bar: quick attack, exponential
    decay, a few partials for warmth; peaks about -6 dBFS so it does not shout over the speech."""
    notes = [(659.25, 0.0), (523.25, 0.50)]                          # (frequency Hz, start s)
    partials = [(1.0, 1.0, 0.60), (2.0, 0.30, 0.30), (3.0, 0.10, 0.18), (4.16, 0.05, 0.10)]  # (×f, amp, decay s)
    length = 1.9
    n = int(length * RATE)
    out = [0.0] * n
    attack = int(0.006 * RATE)
    for freq, start in notes:
        first = int(start * RATE)
        for i in range(first, n):
            t = (i - first) / RATE
            value = sum(a * math.exp(-t / d) * math.sin(2 * math.pi * freq * m * t) for m, a, d in partials)
            if i - first < attack:
                value *= (i - first) / attack
            out[i] += value
    fade = int(0.08 * RATE)
    for i in range(fade):
        out[n - 1 - i] *= i / fade
    peak = max(abs(s) for s in out)
    return [0.5 * s / peak for s in out]


def wav_info(path: Path) -> tuple[float, int]:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate(), path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voice", default=VOICE, help="espeak-ng voice: vi, vi-vn-x-central or vi-vn-x-south")
    parser.add_argument("--speed", type=int, default=SPEED, help="words per minute (espeak-ng default 175)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--guidance-out", type=Path, default=GUIDANCE_OUT, help="where the guidance phrases go")
    parser.add_argument("--center", type=Path, help="make only the names of this center file's guidance")
    args = parser.parse_args(argv)
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            parser.error(f"{tool} is not installed (Debian: apt-get install espeak-ng sox)")
    if args.center:
        return make_names(args)

    args.out.mkdir(parents=True, exist_ok=True)
    stale = {p.name for p in args.out.glob("*.wav")} - {f"{k}.wav" for k in CLIP_TEXT}
    for name in sorted(stale):
        (args.out / name).unlink()
        print(f"removed stale {name}")

    with tempfile.TemporaryDirectory() as tmp:
        args.guidance_out.mkdir(parents=True, exist_ok=True)
        for key, text in GUIDANCE_TEXT.items():
            speak(key, text, args.guidance_out / f"{key}.wav", args.voice, GUIDANCE_SPEED, Path(tmp))
        for key, text in CLIP_TEXT.items():
            path = args.out / f"{key}.wav"
            if key == CHIME:
                write_wav(path, chime_samples())
            elif key == PAUSE:
                write_wav(path, [0.0] * int(PAUSE_SECONDS * RATE))
            else:
                speak(key, text, path, args.voice, args.speed, Path(tmp))

    total = 0
    groups = {"sounds": [CHIME, PAUSE], "phrases": list(PHRASES),
              "letters": [letter_key(c) for c in LETTER_NAMES], "number words": list(NUMBER_WORD_KEYS.values()),
              f"guidance ({GUIDANCE_SPEED} wpm)": list(GUIDANCE_TEXT)}
    texts = {**CLIP_TEXT, **GUIDANCE_TEXT}
    for title, keys in groups.items():
        print(f"{title}:")
        for key in keys:
            seconds, size = wav_info((args.guidance_out if key in GUIDANCE_TEXT else args.out) / f"{key}.wav")
            total += size
            print(f"  {key + '.wav':44} {seconds:5.2f} s {size / 1024:6.1f} KiB  {texts[key]}")
    where = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"{len(texts)} clips, voice {args.voice}, {args.speed} wpm, {RATE} Hz mono 16-bit: "
          f"total {total / 1024:.0f} KiB ({total / 1_000_000:.2f} MB) in {where} and {args.guidance_out.name}/")
    return 0


def make_names(args) -> int:
    """The guidance's name clips of one center file, listed with the words each must say."""
    names = spoken_names(load_center(args.center))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for key, text in names.items():
            speak(key, text, args.out / f"{key}.wav", args.voice, GUIDANCE_SPEED, Path(tmp))
            seconds, size = wav_info(args.out / f"{key}.wav")
            print(f"  {key + '.wav':60} {seconds:5.2f} s {size / 1024:6.1f} KiB  {text}")
    print(f"{len(names)} name clips in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
