// npm run totp:rotate: re-seal every stored two-factor secret with TOTP_ENCRYPTION_KEY.
// Rotation: set the new key as TOTP_ENCRYPTION_KEY and the old one as
// TOTP_ENCRYPTION_KEY_PREVIOUS (both are accepted meanwhile), run this once, then remove
// TOTP_ENCRYPTION_KEY_PREVIOUS. Secrets stored before encryption are sealed the same way.
import { resealTotpSecrets, totpKeyring } from "../core/auth/secrets.js";
import { ConfigError, config } from "../core/config.js";
import { createDb } from "../core/db/client.js";

try {
  const cfg = config();
  const db = createDb(cfg.DATABASE_URL);
  try {
    const { resealed, unreadable } = await resealTotpSecrets(db, await totpKeyring(cfg));
    console.log(`Two-factor secrets re-sealed with the current key: ${resealed}.`);
    if (unreadable) {
      console.error(
        `${unreadable} secret(s) could not be opened with TOTP_ENCRYPTION_KEY or TOTP_ENCRYPTION_KEY_PREVIOUS; those users must set up two-step verification again.`,
      );
      process.exitCode = 1;
    }
  } finally {
    await db.$disconnect();
  }
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exitCode = 1;
}
