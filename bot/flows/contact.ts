// Contact: the handling office's details (the office of this person's latest request, or this
// deployment's own office).
import { findRequestsFor } from "../../core/requests/service.js";
import { defineFlow, end, say } from "../engine/flow.js";
import { requesterRef } from "../engine/identity.js";

export const contactFlow = defineFlow({
  id: "contact",
  menu: { label: "bot.menu.contact", order: 50 },
  begin: async (turn) => {
    const [latest] = await findRequestsFor(turn.app.db, requesterRef(turn.who), 1);
    const office = await turn.app.db.office.findUnique({ where: { id: latest?.officeId ?? turn.app.defaultOfficeId } });
    const dash = turn.t("bot.empty");
    return end(
      say(
        turn.t("contact.details", {
          office: office?.name ?? "BPS",
          address: office?.address ?? dash,
          phone: office?.phone ?? dash,
          email: office?.email ?? dash,
          whatsapp: office?.whatsapp ?? dash,
          website: office?.website ?? dash,
        }),
      ),
    );
  },
  steps: {},
});
