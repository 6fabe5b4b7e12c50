// "Hubungi petugas": the person asks for a member of staff. The conversation waits in the
// Inbox, the office's supervisors are told, and the bot stays quiet until it is handed back
// (the engine checks the conversation's state on every message). Also reached by the global
// words in bot/engine/input.ts (handoffWord).
import { requestHuman } from "../../core/inbox/service.js";
import { defineFlow, endQuietly, say, type Turn, type Who } from "../engine/flow.js";

/** Hands the conversation to staff; the reply tells the person, with the office hours when closed. */
export async function handOffToStaff(app: Turn["app"], who: Who, t: Turn["t"], now: Date): Promise<string> {
  const r = await requestHuman(app.db, { identityId: who.identityId, requesterId: who.requester?.id ?? null, defaultOfficeId: app.defaultOfficeId }, now);
  const text = r.already ? t("inbox.handoff.already") : t("inbox.handoff.ok", { office: r.office.name });
  return r.office.open ? text : `${text}\n\n${t("inbox.handoff.closed", { zone: r.office.timeZone })}`;
}

export const humanFlow = defineFlow({
  id: "human",
  menu: { label: "bot.menu.human", order: 55 },
  begin: async (turn) => endQuietly(say(await handOffToStaff(turn.app, turn.who, turn.t, turn.now))),
  steps: {},
});
