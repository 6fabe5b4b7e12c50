// Testimonials: offered for this identity's DONE requests, a rating 1–5 and a short text,
// once per request (core/testimonials enforces it).
import { isDomainError } from "../../core/errors.js";
import { addTestimonial, testimonialCandidates } from "../../core/testimonials/service.js";
import { testimonialSchema } from "../../core/validation/request.js";
import { defineFlow, end, go, retry, say, type Turn } from "../engine/flow.js";
import { requesterRef } from "../engine/identity.js";

interface TestimonialState {
  candidates?: { id: string; code: string; authorName: string }[];
  requestId?: string;
  code?: string;
  authorName?: string;
  rating?: number;
}

type TestimonialTurn = Turn<TestimonialState>;

const choose = (turn: TestimonialTurn, c: { id: string; code: string; authorName: string }) => {
  Object.assign(turn.state, { requestId: c.id, code: c.code, authorName: c.authorName });
  return go("rating");
};

export const testimonialFlow = defineFlow<TestimonialState>({
  id: "testimonial",
  menu: { label: "bot.menu.testimonial", order: 40 },
  begin: async (turn) => {
    const done = await testimonialCandidates(turn.app.db, requesterRef(turn.who));
    if (done.length === 0) return end(say(turn.t("testimonial.none")));
    turn.state.candidates = done.map((r) => ({ id: r.id, code: r.code, authorName: r.requesterName }));
    return done.length === 1 ? choose(turn, turn.state.candidates[0]!) : go("pick");
  },
  steps: {
    pick: {
      prompt: (turn) => ({ text: turn.t("testimonial.pick"), choices: (turn.state.candidates ?? []).map((c) => ({ id: `req:${c.id}`, label: c.code })) }),
      answer: (a, turn) => {
        const c = turn.state.candidates?.find((x) => a.choice?.id === `req:${x.id}`);
        return c ? choose(turn, c) : retry(turn, "bot.invalid.choice");
      },
    },
    rating: {
      prompt: (turn) => ({
        text: turn.t("testimonial.rating", { code: turn.state.code ?? "" }),
        choices: [1, 2, 3, 4, 5].map((n) => ({ id: `rate:${n}`, label: String(n) })),
      }),
      answer: (a, turn) => {
        const rating = a.choice ? Number(a.choice.id.slice(5)) : Number.NaN;
        if (!Number.isInteger(rating)) return retry(turn, "testimonial.invalidRating");
        turn.state.rating = rating;
        return go("text");
      },
    },
    text: {
      prompt: (turn) => ({ text: turn.t("testimonial.text") }),
      answer: async (a, turn) => {
        const s = turn.state;
        const parsed = testimonialSchema.shape.text.safeParse(a.text);
        if (!parsed.success)
          return retry(turn, parsed.error.issues[0]?.message === "too_long" ? "invalid.too_long" : "invalid.too_short", undefined, "testimonial.example");
        try {
          await addTestimonial(turn.app.db, { ...requesterRef(turn.who), authorName: s.authorName ?? "-" }, s.requestId!, {
            rating: s.rating!,
            text: parsed.data,
          });
        } catch (e) {
          if (isDomainError(e)) return end(say(turn.t(e.messageKey, e.params)));
          throw e;
        }
        return end(say(turn.t("testimonial.thanks")));
      },
    },
  },
});
