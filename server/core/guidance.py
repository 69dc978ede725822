"""What the kiosk and the tablet say to a citizen who asked for voice guidance, as clips like the lobby's voice.

The same clip system as the calls (`announcements`): short WAV files served at /voice/<key>.wav, the bundled ones
made by scripts/make_voice_clips.py with espeak-ng, any of them replaced by the center's own recording of the same
name in HANGDOI_VOICE_DIR. Two kinds of clips are added here:

- phrases (`GUIDANCE_TEXT`): the screens' titles and the words between names ("chọn số", "quầy", "số người đang
  chờ trước Ông/Bà"), bundled; numbers are the call's number words ("w-muoif", "w-mots" …);
- names (`name_key`): every department, service, priority group and rating level of the center, whose clip is
  named after the words themselves, written in Telex so that every Vietnamese letter and tone keeps its own key
  ("Sở Tư pháp" → "name-sowr-tuw-phaps"). A center's names change with its configuration, so these are not
  bundled: the server makes a missing one with espeak-ng the first time it is asked (`make_name_clip`) and keeps
  it; the center may record its own instead.

The screens build the sentences themselves (shared_ui/voice.js has the same Telex rule as `name_key`), except the
numbers: they are read by the lobby's one rule (`announcements.read_number`, `read_ticket_label`; 12 mười hai, 21 hai
mươi mốt), so the kiosk gets the ticket's sentence from the server (`ticket_sentence`, the ticket answer's
`guidance_clips`) and its choices' numbers as a table (`number_table`, GET /api/guidance/numbers).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import unicodedata
from pathlib import Path

from .announcements import MAX_NUMBER, NUMBER_WORD_KEYS, read_number, read_ticket_label

# Whole phrases of the guidance. The kiosk reads its screens with them, the tablet its question.
GUIDANCE_TEXT = {
    "hd-da-bat": "Đã bật hướng dẫn bằng giọng nói.",
    "hd-chon-linh-vuc": "Mời Ông/Bà chọn lĩnh vực cần giải quyết.",
    "hd-chon-so": "chọn số",
    "hd-bam-phim": "Bấm phím số để chọn, bấm phím không để quay lại.",
    "hd-linh-vuc-da-chon": "Lĩnh vực đã chọn:",
    "hd-lay-so-thuong": "lấy số thường",
    "hd-doi-tuong-uu-tien": "nếu Ông/Bà thuộc đối tượng ưu tiên",
    "hd-dang-lay-so": "Đang lấy số, vui lòng chờ.",
    "hd-so-thu-tu-la": "Số thứ tự của Ông/Bà là",
    "hd-quay": "quầy",
    "hd-so-nguoi-dang-cho": "số người đang chờ trước Ông/Bà",
    "hd-moi-nhan-phieu": "Mời Ông/Bà nhận phiếu.",
    "hd-khong-lay-duoc-so": "Không lấy được số. Mời Ông/Bà liên hệ cán bộ hướng dẫn.",
    "hd-chua-den-gio": "Hiện chưa đến giờ lấy số hoặc đã hết giờ lấy số.",
    "hd-tam-ngung": "Tạm ngưng lấy số:",
    "hd-quay-lai": "Quay lại",
    "hd-ve-trang-dau": "Về trang đầu",
    "hd-cau-hoi-danh-gia": "Ông/Bà đánh giá như thế nào về thái độ công chức khi tiếp nhận và hướng dẫn giải quyết "
                           "hồ sơ?",
    "hd-cam-on": "Trân trọng cảm ơn Ông/Bà.",
}

NUMBER_TABLE_SIZE = 100  # the choices of a screen are numbered 1..99 (two keypad digits at most)
_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def number_clips(n: int) -> list[str]:
    """A number as the lobby reads it: 12 → w-muoif, w-hai; 21 → w-hai, w-muoi, w-mots. One beyond the words'
    reach (over 9999) is read digit by digit rather than refused: a ticket is never left unread."""
    if 0 <= n <= MAX_NUMBER:
        return [NUMBER_WORD_KEYS[word] for word in read_number(n)]
    return [NUMBER_WORD_KEYS[_DIGIT_WORDS[int(d)]] for d in str(abs(n))]


def number_table(size: int = NUMBER_TABLE_SIZE) -> list[list[str]]:
    """The clips of 0..size-1, index = the number: the kiosk reads "chọn số 12" with it."""
    return [number_clips(n) for n in range(size)]


def ticket_sentence(ticket: dict) -> list[str]:
    """The kiosk's ticket sentence, once: "Số thứ tự của Ông/Bà là A không mười sáu, quầy một, quầy hai mươi mốt,
    số người đang chờ trước Ông/Bà mười lăm. Mời Ông/Bà nhận phiếu." The label as the lobby calls it, the counters
    and the people ahead as number words; no people-ahead part for a ticket without a position."""
    try:
        label = read_ticket_label(ticket["label"])
    except ValueError:  # a label the lobby cannot read as a number: its letters and digits one by one
        label = [f"letter-{c.lower()}" if c.isalpha() else NUMBER_WORD_KEYS[_DIGIT_WORDS[int(c)]]
                 for c in str(ticket["label"]) if c.isascii() and c.isalnum()]
    sentence = ["hd-so-thu-tu-la", *label]
    for counter in ticket.get("counters") or []:
        sentence += ["hd-quay", *number_clips(counter)]
    if ticket.get("ahead") is not None:
        sentence += ["hd-so-nguoi-dang-cho", *number_clips(ticket["ahead"])]
    return [*sentence, "hd-moi-nhan-phieu"]


NAME_PREFIX = "name-"
MAX_NAME_KEY = 200  # file names stay well under the 255 bytes file systems allow

# Telex: the letters with a shape mark, and the tone marks, as the letters Vietnamese typists add.
_SHAPES = {"\u0302": None, "\u0306": "w", "\u031b": "w"}  # circumflex doubles the vowel (â → aa), breve/horn add w
_TONES = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}


def _telex_word(word: str) -> str:
    """One word in Telex, the tone at its end: 'Sở' → 'sowr', 'Tư' → 'tuw', 'đất' → 'ddaats'."""
    out, tone = [], ""
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in _TONES:
            tone = _TONES[char]
        elif char in _SHAPES:
            out.append(_SHAPES[char] or (out[-1] if out else ""))
        elif char == "đ":
            out.append("dd")
        elif char.isascii() and char.isalnum():
            out.append(char)
    return "".join(out) + tone


def name_key(text: str) -> str:
    """The clip key of a name: 'Sở Tư pháp' → 'name-sowr-tuw-phaps' (punctuation dropped, words joined by -)."""
    words = [w for w in (_telex_word(part) for part in re.split(r"[\W_]+", unicodedata.normalize("NFC", text))) if w]
    return (NAME_PREFIX + "-".join(words))[:MAX_NAME_KEY]


def spoken_names(center) -> dict[str, str]:
    """Every name the guidance may speak for this center: clip key → the words."""
    names = [d.name for d in center.departments]
    names += [s.name for d in center.departments for s in d.services]
    names += [g.name for g in center.priority_groups]
    names += list(center.rating.levels)
    return {name_key(name): name for name in names}


def clip_to_serve(key: str, center, custom_dir: Path | str | None, default_dir: Path, cache_dir: Path
                  ) -> tuple[Path, str | None]:
    """Where the guidance clip `key` is: the center's own recording, else the bundled phrase or the name clip made
    before; with the words to make it from when it has yet to be made (a name of this center heard for the first
    time). Raises KeyError for a key that is neither a phrase nor a name of this center, so a request can neither
    name a file outside the folders nor make the server speak words of its choosing."""
    if key in GUIDANCE_TEXT:
        text, made = None, Path(default_dir) / f"{key}.wav"
    else:
        text = spoken_names(center)[key] if key.startswith(NAME_PREFIX) else None
        if text is None:
            raise KeyError(key)
        made = Path(cache_dir) / f"{key}.wav"
    if custom_dir and (Path(custom_dir) / f"{key}.wav").is_file():
        return Path(custom_dir) / f"{key}.wav", None
    return made, (text if text is not None and not made.is_file() else None)


GUIDANCE_SPEED = 140  # words per minute: slower than the calls (170), for citizens who listen closely


def make_name_clip(text: str, path: Path, voice: str = "vi", speed: int = GUIDANCE_SPEED) -> bool:
    """Speak `text` into the WAV file `path` with espeak-ng (written beside, then moved, so nobody is served half a
    file). False when espeak-ng is not installed or fails: the screen then skips the clip."""
    espeak = shutil.which("espeak-ng")
    if not espeak:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    done = subprocess.run([espeak, "-v", voice, "-s", str(speed), "-w", str(partial), text],
                          capture_output=True, timeout=30, check=False)
    if done.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        return False
    partial.replace(path)
    return True
