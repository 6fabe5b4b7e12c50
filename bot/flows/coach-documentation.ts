// Coach documentation by chat: a coach who linked this chat can answer the "please upload
// the documentation" reminder by sending the files right here. The bot keeps every file sent
// (several photos arrive as several messages), asks which coaching if there is more than one,
// then which kind, and files them with core addDocumentationSet (same rules as the panel:
// only the assigned coach, only once the coaching is Done).

import type { DocumentationKind } from "../../core/db/generated/enums.js";
import { addDocumentationSet } from "../../core/documentation/service.js";
import { isDomainError } from "../../core/errors.js";
import { documentationStillMissing } from "../../core/notifications/intents.js";
import { can } from "../../core/permissions.js";
import { DOCUMENTATION_KINDS, type Locale, labelOf } from "../../core/reference/index.js";
import { ACCEPTED_TYPES, VIDEO_TYPES } from "../../core/storage/index.js";
import { formatDate } from "../../core/validation/datetime.js";
import type { OutboundMessage } from "../channels/types.js";
import { panelLinks } from "../delivery/links.js";
import { type Answer, defineFlow, end, go, type Outcome, retry, say, stay, type Turn } from "../engine/flow.js";

interface Candidate {
  id: string;
  code: string;
  label: string;
  missing: DocumentationKind[];
}

interface DocState {
  attachmentIds?: string[];
  candidates?: Candidate[];
  requestId?: string;
  code?: string;
}

type DocTurn = Turn<DocState>;

const ALLOWED = { ...ACCEPTED_TYPES, ...VIDEO_TYPES };
const RECENT_MS = 180 * 24 * 3600_000;

const isCoach = (turn: Pick<Turn, "who">) => Boolean(turn.who.user && can(turn.who.user.roles, "documentation.upload"));

/** Done coachings of this coach from the last months, those still missing documentation first. */
async function candidatesFor(turn: DocTurn): Promise<Candidate[]> {
  const assignments = await turn.app.db.assignment.findMany({
    where: { coachId: turn.who.user!.id, request: { status: "DONE", deletedAt: null, startAt: { gte: new Date(turn.now.getTime() - RECENT_MS) } } },
    include: { request: { include: { office: { select: { timeZone: true } } } } },
    orderBy: { request: { startAt: "desc" } },
    take: 10,
  });
  const out: Candidate[] = [];
  for (const { request: r } of assignments) {
    out.push({
      id: r.id,
      code: r.code,
      label: turn.t("notify.doc.requestLabel", { code: r.code, agency: r.agencyName, date: formatDate(r.startAt, r.office.timeZone) }),
      missing: await documentationStillMissing(turn.app.db, r.id),
    });
  }
  return out.sort((a, b) => Number(b.missing.length > 0) - Number(a.missing.length > 0));
}

/** Stores the file of this message; says why not when it is refused. */
async function keepFile(turn: DocTurn): Promise<OutboundMessage | null> {
  const stored = await turn.storeFile({ uploadedById: turn.who.user!.id, allowed: ALLOWED });
  if (!stored.ok) return stored.reply;
  turn.state.attachmentIds = [...(turn.state.attachmentIds ?? []), stored.attachment.id];
  return null;
}

/** Another file while we are asking: keep it and ask the same question again. */
async function anotherFile(a: Answer, turn: DocTurn): Promise<Outcome | null> {
  if (!a.file) return null;
  const refused = await keepFile(turn);
  return stay(refused ?? say(turn.t("notify.doc.more", { count: turn.state.attachmentIds?.length ?? 0 })));
}

function choose(turn: DocTurn, c: Candidate): Outcome {
  turn.state.requestId = c.id;
  turn.state.code = c.code;
  return go("kind");
}

const kindLabel = (kind: DocumentationKind, locale: Locale) => labelOf(DOCUMENTATION_KINDS, kind, locale);

export const coachDocumentationFlow = defineFlow<DocState>({
  id: "coach-documentation",
  claims: (event, who) => event.kind === "file" && Boolean(who.user && can(who.user.roles, "documentation.upload")),
  begin: async (turn) => {
    if (!isCoach(turn)) return end();
    const candidates = await candidatesFor(turn);
    if (candidates.length === 0) return end(say(turn.t("notify.doc.noRequests")));
    const refused = await keepFile(turn);
    if (refused) return end(refused);
    turn.state.candidates = candidates;
    return candidates.length === 1 ? choose(turn, candidates[0]!) : go("pick");
  },
  steps: {
    pick: {
      expects: "file",
      prompt: (turn) => ({ text: turn.t("notify.doc.askRequest"), choices: (turn.state.candidates ?? []).map((c) => ({ id: `req:${c.id}`, label: c.label })) }),
      answer: async (a, turn) => {
        const more = await anotherFile(a, turn);
        if (more) return more;
        const c = turn.state.candidates?.find((x) => a.choice?.id === `req:${x.id}`);
        return c ? choose(turn, c) : retry(turn, "bot.invalid.choice");
      },
    },
    kind: {
      expects: "file",
      prompt: (turn) => {
        const missing = turn.state.candidates?.find((c) => c.id === turn.state.requestId)?.missing ?? [];
        const ordered = [...missing, ...DOCUMENTATION_KINDS.map((k) => k.code).filter((k) => !missing.includes(k))];
        return {
          text: turn.t("notify.doc.askKind", { count: turn.state.attachmentIds?.length ?? 0 }),
          choices: ordered.map((k) => ({ id: `kind:${k}`, label: kindLabel(k, turn.locale) })),
        };
      },
      answer: async (a, turn) => {
        const more = await anotherFile(a, turn);
        if (more) return more;
        const kind = DOCUMENTATION_KINDS.find((k) => a.choice?.id === `kind:${k.code}`)?.code;
        if (!kind) return retry(turn, "bot.invalid.choice");
        const s = turn.state;
        const user = turn.who.user!;
        const actor = { userId: user.id, roles: user.roles, officeId: user.officeId };
        try {
          await addDocumentationSet(turn.app.db, actor, { requestId: s.requestId!, kind, attachmentIds: s.attachmentIds ?? [] });
        } catch (e) {
          if (isDomainError(e)) return end(say(turn.t(e.messageKey, e.params)));
          turn.app.log.warn({ err: { name: (e as Error).name }, requestId: s.requestId }, "documentation by chat failed");
          return end(say(turn.t("notify.doc.failed", { link: panelLinks(turn.app.config).documentation(s.requestId!) })));
        }
        const missing = await documentationStillMissing(turn.app.db, s.requestId!);
        const saved = turn.t("notify.doc.saved", { count: s.attachmentIds?.length ?? 0, kind: kindLabel(kind, turn.locale), code: s.code ?? "" });
        const status = missing.length
          ? turn.t("notify.doc.stillMissing", { missing: missing.map((k) => kindLabel(k, turn.locale)).join(", ") })
          : turn.t("notify.doc.complete");
        return end(say(`${saved}\n${status}`));
      },
    },
  },
});
