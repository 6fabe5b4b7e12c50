// Codes typed anywhere in a chat: a staff link code (ties the chat to a panel account) and a
// ticket number (shows that request's status). Short texts only, so a long answer that happens
// to contain a code is not mistaken for one.
import { findLinkCode, linkCodeFailures, redeemLinkCode } from "../../core/auth/link-codes.js";
import { redisDeadline } from "../../core/runtime/outage.js";
import { findTicketCode } from "../../core/validation/request.js";
import { describeTicketWithFiles } from "../flows/status.js";
import { repromptUnlessMenu } from "./navigation.js";
import { type TurnEnv, type TurnState, tr } from "./turn.js";

const MAX_CODE_MESSAGE = 40;

/** Answers a link or ticket code; false when the text is neither. */
export async function answerCode(env: TurnEnv, ts: TurnState, text: string): Promise<boolean> {
  if (text.length > MAX_CODE_MESSAGE) return false;
  const link = findLinkCode(text);
  if (link) {
    ts.outcome = "link";
    // Guessing codes is throttled per chat: a few wrong ones an hour, then not even a right one.
    const failures = linkCodeFailures(env.ctx.redis, env.ctx.redisPrefix, ts.who.identityId);
    if (await redisDeadline(failures.exhausted(), "link code failures")) {
      ts.replies.push({ text: tr(ts)("bot.link.tooMany") });
      repromptUnlessMenu(env, ts);
      return true;
    }
    const user = await redeemLinkCode(env.ctx.db, link, ts.who.identityId, ts.now);
    if (user) ts.who.user = { id: user.id, name: user.name, roles: user.roles, officeId: user.officeId };
    else await redisDeadline(failures.add(), "link code failures");
    ts.replies.push({ text: user ? tr(ts)("bot.link.ok", { name: user.name }) : tr(ts)("bot.link.invalid") });
    repromptUnlessMenu(env, ts);
    return true;
  }
  const code = findTicketCode(text);
  if (code) {
    ts.outcome = "ticket";
    ts.replies.push(...(await describeTicketWithFiles(env.ctx, ts.who, ts.session.locale, code)));
    repromptUnlessMenu(env, ts);
    return true;
  }
  return false;
}
