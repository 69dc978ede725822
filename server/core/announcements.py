"""What the lobby speaks when a number is called, as a sequence of short prerecorded clips.

The display has no internet and no speech engine, so a call is assembled from clips the server serves: a chime,
whole phrases ("Kính mời công dân có số thứ tự"), letter names and single number words, read the standard
(Northern) way: 15 mười lăm, 21 hai mươi mốt, 24 hai mươi tư, 105 một trăm lẻ năm, 1005 một nghìn không trăm lẻ năm.

Clip keys are ASCII and safe as file names (`<key>.wav`):

- phrases: the phrase folded to ASCII, words joined by "-": "kinh-moi-cong-dan-co-so-thu-tu", "den-quay-so";
- letters: "letter-a" … "letter-z";
- number words: "w-" + the word folded to ASCII + its tone as the Telex tone key (s sắc, f huyền, r hỏi, x ngã,
  j nặng, nothing for ngang), which keeps một/mốt ("w-motj"/"w-mots") and mười/mươi ("w-muoif"/"w-muoi") apart;
- sounds: "chime" (ding-dong) and "pause" (about 0.7 s of silence).

A center may replace any clip with its own recording: a file with the same name in its own folder wins
(`clip_path`). `CLIP_TEXT` says what each clip must say.
"""

from __future__ import annotations

import re
from pathlib import Path

KINDS = ("call", "recall", "priority", "transfer")

CHIME = "chime"
PAUSE = "pause"

# Whole phrases, spoken as one clip each for a natural sound.
PHRASES = {
    "kinh-moi-cong-dan-co-so-thu-tu": "Kính mời công dân có số thứ tự",
    "kinh-moi-cong-dan-uu-tien-co-so-thu-tu": "Kính mời công dân ưu tiên có số thứ tự",
    "xin-nhac-lai": "Xin nhắc lại",
    "cong-dan-co-so-thu-tu": "Công dân có số thứ tự",
    "den-quay-so": "đến quầy số",
    "vui-long-chuyen-sang-quay-so": "vui lòng chuyển sang quầy số",
}

# Letter names as spoken in calls.
LETTER_NAMES = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "E": "e", "F": "ép", "G": "giê", "H": "hát", "I": "i", "J": "gi",
    "K": "ca", "L": "e-lờ", "M": "em-mờ", "N": "en-nờ", "O": "o", "P": "pê", "Q": "quy", "R": "e-rờ", "S": "ét",
    "T": "tê", "U": "u", "V": "vê", "W": "vê kép", "X": "ích", "Y": "i dài", "Z": "dét",
}

# Every word `read_number` can produce → its clip key.
NUMBER_WORD_KEYS = {
    "không": "w-khong", "một": "w-motj", "mốt": "w-mots", "hai": "w-hai", "ba": "w-ba", "bốn": "w-bons",
    "tư": "w-tu", "năm": "w-nam", "lăm": "w-lam", "sáu": "w-saus", "bảy": "w-bayr", "tám": "w-tams",
    "chín": "w-chins", "mười": "w-muoif", "mươi": "w-muoi", "trăm": "w-tram", "lẻ": "w-ler", "nghìn": "w-nghinf",
}

SOUNDS = {CHIME: "", PAUSE: ""}


def letter_key(letter: str) -> str:
    """'A' → 'letter-a'."""
    return f"letter-{letter.lower()}"


# Every clip key → the Vietnamese it speaks ("" for the chime and the pause, which speak nothing).
CLIP_TEXT: dict[str, str] = {
    **SOUNDS,
    **PHRASES,
    **{letter_key(letter): name for letter, name in LETTER_NAMES.items()},
    **{key: word for word, key in NUMBER_WORD_KEYS.items()},
}

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_LABEL = re.compile(r"^([A-Z]*)([0-9]+)$")
MAX_NUMBER = 9999


def _tens_and_units(n: int) -> list[str]:
    """1..99 as read after nothing or after 'trăm': 10 mười, 15 mười lăm, 21 hai mươi mốt, 24 hai mươi tư."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return [_DIGITS[units]]
    words = ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 5:
        return words + ["lăm"]
    if units == 1 and tens >= 2:
        return words + ["mốt"]
    if units == 4 and tens >= 2:
        return words + ["tư"]
    return words + [_DIGITS[units]]


def _below_thousand(n: int, inner: bool) -> list[str]:
    """0..999; `inner` when a higher group was already read, so that 5 after 'nghìn' is 'không trăm lẻ năm'."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not inner:
        return _tens_and_units(rest)
    words = [_DIGITS[hundreds], "trăm"]
    if rest == 0:
        return words
    if rest < 10:
        return words + ["lẻ", _DIGITS[rest]]
    return words + _tens_and_units(rest)


def read_number(n: int) -> list[str]:
    """Vietnamese words for 0..9999: 25 → ['hai', 'mươi', 'lăm'], 1005 → một nghìn không trăm lẻ năm."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"read_number reads whole numbers from 0 to {MAX_NUMBER}, not {n!r}")
    if n == 0:
        return ["không"]
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _below_thousand(rest, inner=False)
    words = [_DIGITS[thousands], "nghìn"]
    if rest == 0:
        return words
    return words + _below_thousand(rest, inner=True)


def _split_label(label: str) -> tuple[str, str]:
    """'A025' (also 'a-025', 'A 025') → ('A', '025')."""
    if not isinstance(label, str):
        raise ValueError(f"a ticket label is text such as 'A025', not {label!r}")
    cleaned = re.sub(r"[\s\-.]", "", label).upper()
    match = _LABEL.match(cleaned)
    if not match:
        raise ValueError(f"a ticket label is letters A–Z then digits, such as 'A025', not {label!r}")
    letters, digits = match.groups()
    if int(digits) > MAX_NUMBER:
        raise ValueError(f"ticket number too large to read: {label!r}")
    return letters, digits


def _label_words(label: str) -> list[tuple[str, str]]:
    """(clip key, caption word) pairs: letters one by one, each leading zero as 'không', then the number."""
    letters, digits = _split_label(label)
    pairs = [(letter_key(letter), letter) for letter in letters]
    significant = digits.lstrip("0")
    zeros = len(digits) - len(significant)
    if not significant:  # "A000": all zeros, the last one is the number itself
        zeros -= 1
    pairs += [(NUMBER_WORD_KEYS["không"], "không")] * zeros
    pairs += [(NUMBER_WORD_KEYS[word], word) for word in read_number(int(digits))]
    return pairs


def read_ticket_label(label: str) -> list[str]:
    """Clip keys for a ticket label: 'A025' → ['letter-a', 'w-khong', 'w-hai', 'w-muoi', 'w-lam']."""
    return [key for key, _ in _label_words(label)]


def _counter(counter_number: int) -> int:
    if isinstance(counter_number, bool) or not isinstance(counter_number, int) or counter_number < 1:
        raise ValueError(f"a counter number is a whole number ≥ 1, not {counter_number!r}")
    return counter_number


# Each kind: clips before the label, clips between the label and the counter number, and the same as caption text.
_SENTENCES = {
    "call": (["kinh-moi-cong-dan-co-so-thu-tu"], ["den-quay-so"],
             "Kính mời công dân có số thứ tự", "đến quầy số"),
    "recall": (["xin-nhac-lai", "kinh-moi-cong-dan-co-so-thu-tu"], ["den-quay-so"],
               "Xin nhắc lại, kính mời công dân có số thứ tự", "đến quầy số"),
    "priority": (["kinh-moi-cong-dan-uu-tien-co-so-thu-tu"], ["den-quay-so"],
                 "Kính mời công dân ưu tiên có số thứ tự", "đến quầy số"),
    "transfer": (["cong-dan-co-so-thu-tu"], ["vui-long-chuyen-sang-quay-so"],
                 "Công dân có số thứ tự", "vui lòng chuyển sang quầy số"),
}


def _sentence(label: str, counter_number: int, kind: str) -> tuple[list[str], list[str]]:
    """The sentence as clip keys and as caption pieces."""
    if kind not in _SENTENCES:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    before, between, before_text, between_text = _SENTENCES[kind]
    label_pairs = _label_words(label)
    counter_words = read_number(_counter(counter_number))
    keys = [*before, *(k for k, _ in label_pairs), *between, *(NUMBER_WORD_KEYS[w] for w in counter_words)]
    captions = [before_text, *(w for _, w in label_pairs), between_text, *counter_words]
    return keys, captions


def call_clips(label: str, counter_number: int, kind: str = "call") -> list[str]:
    """The whole announcement: the chime, then the sentence twice with a pause between."""
    keys, _ = _sentence(label, counter_number, kind)
    return [CHIME, *keys, PAUSE, *keys]


def call_text(label: str, counter_number: int, kind: str = "call") -> str:
    """The sentence as text, for captions: 'Kính mời công dân có số thứ tự A không hai mươi lăm đến quầy số năm'."""
    return " ".join(_sentence(label, counter_number, kind)[1])


def clip_path(key: str, custom_dir: Path | str | None, default_dir: Path | str, suffix: str = ".wav") -> Path:
    """The file for a clip: the center's own recording in `custom_dir` (HANGDOI_VOICE_DIR) when there is one,
    otherwise the bundled clip in `default_dir`. Raises KeyError for a key that is not a known clip, so a request
    can never name a file outside the folders."""
    if key not in CLIP_TEXT:
        raise KeyError(key)
    name = f"{key}{suffix}"
    if custom_dir:
        custom = Path(custom_dir) / name
        if custom.is_file():
            return custom
    return Path(default_dir) / name
