// Modules and past coachings: search by keyword or topic, send a module's file on request,
// and show coachings already held so agencies can avoid asking for a duplicate (SPEKTRAL).
import type { Topic } from "../../core/db/generated/enums.js";
import { searchModules, searchPastCoachings } from "../../core/modules/service.js";
import { labelOf, SERVICE_TYPES, TOPICS } from "../../core/reference/index.js";
import { formatDate } from "../../core/validation/datetime.js";
import { oneLine } from "../../core/validation/text.js";
import { defineFlow, go, type Outcome, retry, type StepChoice, say, stay, type Turn } from "../engine/flow.js";

interface FoundModule {
  id: string;
  title: string;
  attachmentId: string;
  fileName: string;
  mimeType: string;
}

interface ModulesState {
  found?: FoundModule[];
}

type ModulesTurn = Turn<ModulesState>;

const topicChoices = (turn: ModulesTurn): StepChoice[] => TOPICS.map((x) => ({ id: `topic:${x.code}`, label: x[turn.locale], aliases: [x.id, x.en] }));

async function search(turn: ModulesTurn, q: { keyword?: string; topic?: Topic }): Promise<Outcome> {
  const [modules, past] = await Promise.all([searchModules(turn.app.db, { ...q, take: 8 }), searchPastCoachings(turn.app.db, { ...q, take: 5 })]);
  const query = q.topic ? labelOf(TOPICS, q.topic, turn.locale) : (q.keyword ?? "");
  if (modules.length === 0 && past.length === 0) return stay(say(turn.t("modules.none", { query })));
  const zones = new Map((await turn.app.db.office.findMany({ select: { id: true, timeZone: true } })).map((o) => [o.id, o.timeZone]));
  const lines: string[] = [];
  if (modules.length) {
    lines.push(turn.t("modules.found"));
    modules.forEach((m, i) => {
      lines.push(`${i + 1}. ${turn.t("modules.item", { title: m.title, type: m.fileType })}`);
    });
  }
  if (past.length) {
    if (lines.length) lines.push("");
    lines.push(turn.t("modules.past"));
    for (const p of past) {
      lines.push(
        `• ${turn.t("modules.pastItem", {
          code: p.code,
          agency: p.agencyName,
          service: labelOf(SERVICE_TYPES, p.serviceType, turn.locale),
          date: formatDate(p.startAt, zones.get(p.officeId) ?? "WIB"),
        })}`,
      );
    }
    lines.push("", turn.t("modules.avoidDuplicate"));
  }
  turn.state.found = modules.map((m) => ({
    id: m.id,
    title: m.title,
    attachmentId: m.attachmentId,
    fileName: m.attachment.fileName,
    mimeType: m.attachment.mimeType,
  }));
  return modules.length ? go("results", say(lines.join("\n"))) : stay(say(lines.join("\n")));
}

/** A keyword or a topic, typed or picked. */
function searchFor(turn: ModulesTurn, choice: StepChoice | undefined, text: string): Promise<Outcome> | Outcome {
  if (choice?.id.startsWith("topic:")) return search(turn, { topic: choice.id.slice(6) as Topic });
  const keyword = oneLine(text).slice(0, 100);
  if (keyword.length < 2) return retry(turn, "invalid.too_short");
  return search(turn, { keyword });
}

export const modulesFlow = defineFlow<ModulesState>({
  id: "modules",
  menu: { label: "bot.menu.modules", order: 30 },
  begin: () => go("query"),
  steps: {
    query: {
      freeText: true,
      prompt: (turn) => ({ text: turn.t("modules.ask"), choices: topicChoices(turn) }),
      answer: (a, turn) => searchFor(turn, a.choice, a.text),
    },
    results: {
      freeText: true, // another keyword searches again
      prompt: (turn) => ({
        text: turn.t("modules.next"),
        choices: (turn.state.found ?? []).map((m) => ({ id: `module:${m.id}`, label: m.title })),
      }),
      answer: (a, turn) => {
        const m = turn.state.found?.find((x) => a.choice?.id === `module:${x.id}`);
        if (!m) return searchFor(turn, undefined, a.text);
        return stay(
          say(turn.t("modules.sending", { title: m.title }), { document: { attachmentId: m.attachmentId, fileName: m.fileName, mimeType: m.mimeType } }),
        );
      },
    },
  },
});
