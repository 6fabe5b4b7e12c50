// The main menu. It lists every flow that declares a `menu` entry. Free text here is either
// the answer to a clarification question from the office, or a greeting (answered with the menu).
import { openClarificationFor, recordClarificationAnswer } from "../../core/requests/clarification.js";
import { defineFlow, endQuietly, type Flow, go, say, startFlow, stay } from "../engine/flow.js";
import { MENU_FLOW, MENU_STEP } from "../engine/session.js";

export function createMenuFlow(features: readonly Flow[]): Flow {
  const entries = features.filter((f) => f.menu).sort((a, b) => a.menu!.order - b.menu!.order);
  return defineFlow({
    id: MENU_FLOW,
    begin: () => go(MENU_STEP),
    steps: {
      [MENU_STEP]: {
        freeText: true,
        prompt: (turn) => ({
          text: `${turn.t("bot.menu.prompt")}`,
          choices: entries.map((f) => ({ id: f.id, label: turn.t(f.menu!.label) })),
        }),
        answer: async (a, turn) => {
          if (a.choice) return startFlow(a.choice.id);
          if (a.text.length >= 3) {
            const open = await openClarificationFor(turn.app.db, { identityId: turn.who.identityId, requesterId: turn.who.requester?.id ?? null });
            if (open) {
              await recordClarificationAnswer(turn.app.db, open.id, a.text.slice(0, 2000), turn.event.channel);
              return endQuietly(say(turn.t("bot.clarification.recorded", { code: open.code })));
            }
          }
          const name = turn.who.displayName ? `, ${turn.who.displayName}` : "";
          return stay(say(turn.t("bot.welcome", { name })), say(turn.t("bot.menu.footer")));
        },
      },
    },
  });
}
