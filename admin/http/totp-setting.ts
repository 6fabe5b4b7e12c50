import type { Role } from "../../core/db/generated/enums.js";
import type { AppContext } from "../../core/runtime/context.js";
import { totpRequiredRoles } from "../../core/settings/service.js";

// The TOTP-required roles setting, cached briefly so it is not read on every request.
export function settingCache(ctx: AppContext) {
  let value: { roles: Role[]; at: number } | null = null;
  return {
    async roles() {
      if (!value || Date.now() - value.at > 10_000) value = { roles: await totpRequiredRoles(ctx.db), at: Date.now() };
      return value.roles;
    },
    clear() {
      value = null;
    },
  };
}
export type TotpSettingCache = ReturnType<typeof settingCache>;
