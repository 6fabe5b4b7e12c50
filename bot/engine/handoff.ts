// Human takeover. Asking for staff works everywhere; while staff handle the conversation (Inbox
// state WAITING or HUMAN) the bot stays quiet, except for the global words and "selesai", which
// hands the conversation back to the bot.
import { releaseByPerson } from "../../core/inbox/service.js";
import { handOffToStaff } from "../flows/human.js";
import { storeFile } from "./files.js";
import { answerGlobalWord } from "./global-words.js";
import { globalWord, handoffWord } from "./input.js";
import { menuPrompt } from "./navigation.js";
import { resetSession } from "./session.js";
import { say, type TurnEnv, type TurnState, tr } from "./turn.js";

/** Whether staff hold the conversation, so the bot must not answer on its own. */
export const staffHold = (ts: TurnState): boolean => ts.conversation === "WAITING" || ts.conversation === "HUMAN";

/** Handles the turn if it belongs to the takeover (a request for staff, or any message while staff hold it). */
export async function answerTakeover(env: TurnEnv, ts: TurnState, text: string): Promise<boolean> {
  const { event } = ts;
  const word = event.kind === "text" ? handoffWord(text) : null;
  if (word === "handoff") {
    ts.outcome = "handoff";
    ts.replies.push({ text: await handOffToStaff(env.ctx, ts.who, tr(ts), ts.now) });
    ts.conversation = "WAITING";
    return true;
  }
  if (!staffHold(ts)) return false;
  if (word === "release") {
    await release(env, ts);
    return true;
  }
  const global = event.kind === "text" ? globalWord(text) : null;
  if (global) {
    ts.outcome = `word:${global}`;
    await answerGlobalWord(env, ts, global);
    say(ts, "inbox.handoff.note");
    return true;
  }
  ts.outcome = "with-staff";
  if (event.kind === "choice") ts.inbound.text = event.choiceId ?? "";
  if (event.kind === "file") {
    // Kept for staff to see in the transcript; refused files are explained as usual.
    const stored = await storeFile(env, ts);
    if (!stored.ok) ts.replies.push(stored.reply);
  }
  return true;
}

/** "selesai": the bot takes the conversation back, at the menu. */
async function release(env: TurnEnv, ts: TurnState): Promise<void> {
  ts.outcome = "release";
  await releaseByPerson(env.ctx.db, ts.who.identityId);
  ts.conversation = "BOT";
  ts.session.data.pending = undefined;
  resetSession(ts.session);
  say(ts, "inbox.released");
  ts.replies.push(menuPrompt(env, ts));
}
