// Reading what people type: global words, choices by number, label or alias. Pure functions.
import type { StepChoice } from "./flow.js";

/** Lower-case, accents and surrounding punctuation removed: "Batal!" → "batal". */
export function normalise(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}/ ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export type GlobalWord = "menu" | "cancel" | "back" | "help" | "language" | "lang_id" | "lang_en";

const WORDS: Record<string, GlobalWord> = {
  menu: "menu",
  "/menu": "menu",
  "/start": "menu",
  start: "menu",
  "menu utama": "menu",
  "main menu": "menu",
  batal: "cancel",
  batalkan: "cancel",
  cancel: "cancel",
  "/cancel": "cancel",
  "/batal": "cancel",
  kembali: "back",
  back: "back",
  "/back": "back",
  "/kembali": "back",
  bantuan: "help",
  help: "help",
  tolong: "help",
  "/help": "help",
  "/bantuan": "help",
  bahasa: "language",
  language: "language",
  "/language": "language",
  "/bahasa": "language",
  english: "lang_en",
  inggris: "lang_en",
  "bahasa inggris": "lang_en",
  indonesia: "lang_id",
  indonesian: "lang_id",
  "bahasa indonesia": "lang_id",
};

/** The global word a whole message is, if any ("/start@SibinaBot" counts as /start). */
export function globalWord(text: string): GlobalWord | null {
  const n = normalise(text.replace(/@\w+$/, ""));
  return WORDS[n] ?? null;
}

/** Finds the choice a typed answer means: its number, its id, its label, an alias, or a unique prefix. */
export function matchChoice(text: string, choices: readonly StepChoice[]): StepChoice | undefined {
  const n = normalise(text).replace(/^(no|nomor|pilih|pilihan|number|choose|option)\s+/, "");
  if (!n) return undefined;
  const num = /^(\d{1,3})$/.exec(n);
  if (num) return choices[Number(num[1]) - 1];
  const exact = choices.find(
    (c) => normalise(c.label) === n || normalise(c.id) === n || (c.aliases ?? []).some((a) => normalise(a) === n) || stripNumber(c.label) === n,
  );
  if (exact) return exact;
  if (n.length >= 3) {
    const starts = choices.filter((c) => normalise(c.label).startsWith(n));
    if (starts.length === 1) return starts[0];
  }
  return undefined;
}

const stripNumber = (label: string) => normalise(label.replace(/^\s*\d+[.)]\s*/, ""));

/** A typed list of several choices: "1,3", "1 3 5", "1, 2 dan 4". Undefined when not such a list. */
export function matchChoiceList(text: string, choices: readonly StepChoice[]): StepChoice[] | undefined {
  const n = normalise(text).replace(/\b(dan|and|&)\b/g, " ");
  if (!/^\d{1,2}(\s+\d{1,2})*$/.test(n.replace(/,/g, " ").trim())) return undefined;
  const picked: StepChoice[] = [];
  for (const part of n.split(/[\s,]+/).filter(Boolean)) {
    const c = choices[Number(part) - 1];
    if (!c) return undefined;
    if (!picked.includes(c)) picked.push(c);
  }
  return picked.length ? picked : undefined;
}

const HANDOFF: Record<string, "handoff" | "release"> = {
  petugas: "handoff",
  "hubungi petugas": "handoff",
  "bicara dengan petugas": "handoff",
  "bicara dengan admin": "handoff",
  "bicara dengan orang": "handoff",
  operator: "handoff",
  human: "handoff",
  "talk to staff": "handoff",
  "/petugas": "handoff",
  selesai: "release",
  "kembalikan ke bot": "release",
  "kembali ke bot": "release",
  "back to bot": "release",
  "/selesai": "release",
};

/** Asking for a person ("hubungi petugas"), or ending that ("selesai", "kembalikan ke bot"). */
export function handoffWord(text: string): "handoff" | "release" | null {
  return HANDOFF[normalise(text.replace(/@\w+$/, ""))] ?? null;
}
