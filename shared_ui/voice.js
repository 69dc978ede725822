// Voice guidance for one citizen (the kiosk's screens, the tablet's question): sentences played as short clips
// from /voice/<key>.wav, the lobby voice's clip system (server/core/guidance.py names the clips; a center may
// replace any with its own recording). One sentence plays at a time; a new screen's sentence replaces whatever
// is still playing or waiting. Everything started is written to the record (`spoken`, also
// window.hangdoiGuidance), which the browser tests read to check what a blind citizen heard.
// Numbers are read as the lobby reads them (12 mười hai, 21 hai mươi mốt): the rule lives on the server only
// (server/core/announcements.py), which sends a table of 0..99 (`loadNumberWords`, GET /api/guidance/numbers).
//   import { guide, nameKey, numberKeys } from "/ui/shared/voice.js";
//   guide.say(["hd-chon-linh-vuc", "hd-chon-so", ...numberKeys(1), nameKey("Sở Tư pháp")]);

import { answer } from "/ui/shared/http.js";

const RECORD_LIMIT = 400; // clips kept in the record; a kiosk runs for days
const STALL_SECONDS = 8; // a clip that neither ends nor fails in this long is skipped
const DIGIT_KEYS = ["w-khong", "w-motj", "w-hai", "w-ba", "w-bons", "w-nam", "w-saus", "w-bayr", "w-tams", "w-chins"];

// Telex, as server/core/guidance.py `name_key`: every Vietnamese letter and tone keeps its own key.
const SHAPES = { "\u0302": null, "\u0306": "w", "\u031b": "w" };
const TONES = { "\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j" };
const MAX_NAME_KEY = 200;

function telexWord(word) {
  let out = "";
  let tone = "";
  for (const char of word.toLowerCase().normalize("NFD")) {
    if (char in TONES) tone = TONES[char];
    else if (char in SHAPES) out += SHAPES[char] || out.slice(-1);
    else if (char === "đ") out += "dd";
    else if (/^[a-z0-9]$/.test(char)) out += char;
  }
  return out + tone;
}

/** The clip of a name of the center: "Sở Tư pháp" → "name-sowr-tuw-phaps". */
export function nameKey(text) {
  const words = String(text).normalize("NFC").split(/[^\p{L}\p{N}]+/u).map(telexWord).filter(Boolean);
  return `name-${words.join("-")}`.slice(0, MAX_NAME_KEY);
}

/** A number read digit by digit, as the citizen will key or see it: 25 → "hai", "năm"; "A025" → the digits. */
export function digitKeys(number) {
  return Array.from(String(number).replace(/\D/g, ""), (d) => DIGIT_KEYS[Number(d)]);
}

let numberWords = null; // the server's clips of 0..99, index = the number
const NUMBERS_TIMEOUT_MS = 2000; // a citizen who turned the voice on waits no longer for the first words

/** Ask the server once for the clips of the numbers 0..99 (until it has answered: a kiosk started offline asks
 *  again the next time). */
export async function loadNumberWords() {
  if (numberWords) return;
  try {
    const reply = await answer("GET", "/api/guidance/numbers", undefined, { timeout: NUMBERS_TIMEOUT_MS });
    if (reply.ok && reply.body && Array.isArray(reply.body.numbers)) numberWords = reply.body.numbers;
  } catch (err) {
    // Out of reach: numbers are read digit by digit until the server answers.
  }
}

/** A number as words, the lobby's way (12 → "mười", "hai"); digit by digit only before the server's table came. */
export function numberKeys(number) {
  return numberWords && numberWords[number] ? numberWords[number] : digitKeys(number);
}

/** A ticket label: its letters by name, then its digits ("A025" → letter-a, không, hai, năm). */
export function labelKeys(label) {
  return Array.from(String(label).toUpperCase()).flatMap((c) => (/[A-Z]/.test(c) ? [`letter-${c.toLowerCase()}`]
    : /[0-9]/.test(c) ? [DIGIT_KEYS[Number(c)]] : []));
}

/** A voice: say() a list of clip keys; stop(); the record of every clip started. */
export function createVoice({ rate = 1 } = {}) {
  const player = new Audio();
  player.preload = "auto";
  const record = { spoken: [], sentences: 0, get busy() { return playing !== null; } };
  let playing = null; // {clips, at} of the sentence under way
  let stallTimer = null;

  function finishClip(sentence) {
    clearTimeout(stallTimer);
    if (playing !== sentence) return; // replaced or stopped meanwhile
    sentence.at += 1;
    playNext(sentence);
  }

  function playNext(sentence) {
    if (sentence.at >= sentence.clips.length) {
      playing = null;
      return;
    }
    const key = sentence.clips[sentence.at];
    record.spoken.push(key);
    if (record.spoken.length > RECORD_LIMIT) record.spoken.shift();
    player.onended = player.onerror = () => finishClip(sentence);
    player.src = `/voice/${encodeURIComponent(key)}.wav`;
    player.playbackRate = rate * sentence.pace;
    stallTimer = setTimeout(() => finishClip(sentence), STALL_SECONDS * 1000);
    player.play().catch(() => finishClip(sentence)); // blocked or missing: the next clip, never a stall
  }

  return {
    record,
    /** Say these clips now, instead of anything still playing; `pace` below 1 says them more slowly. */
    say(clips, { pace = 1 } = {}) {
      this.stop();
      if (!clips || !clips.length) return;
      record.sentences += 1;
      playing = { clips: clips.slice(), at: 0, pace };
      playNext(playing);
    },
    /** Silence, and forget what was waiting. */
    stop() {
      clearTimeout(stallTimer);
      playing = null;
      player.onended = player.onerror = null;
      player.pause();
    },
  };
}

// The page's one guidance voice. ?voice_rate=2 speeds it up (the tests; a center's own taste).
const rate = Math.min(Math.max(parseFloat(new URLSearchParams(location.search).get("voice_rate")) || 1, 0.5), 4);
export const guide = createVoice({ rate });
window.hangdoiGuidance = guide.record;
