// The rooms of the code and which way the doors open (README: Architecture).
// core/ is the domain and imports no chat or web framework; admin/ and bot/ never import each
// other; only main.ts wires them together. tests/core/boundaries.test.ts runs these rules.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "admin-not-to-bot", severity: "error", from: { path: "^admin/" }, to: { path: "^bot/" } },
    { name: "bot-not-to-admin", severity: "error", from: { path: "^bot/" }, to: { path: "^admin/" } },
    {
      name: "core-stays-domain",
      comment: "core/ imports neither the panel, the bot, nor a chat or web framework",
      severity: "error",
      from: { path: "^core/" },
      to: { path: ["^admin/", "^bot/", "^main\\.ts$", "node_modules/(telegraf|@whiskeysockets/baileys|fastify|@fastify/)"] },
    },
    {
      name: "only-main-wires",
      comment: "nothing in the product imports the composition root",
      severity: "error",
      from: { path: "^(admin|bot|core)/" },
      to: { path: "^main\\.ts$" },
    },
    { name: "no-cycles", severity: "error", from: { path: "^(admin|bot|core)/" }, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^core/db/generated/|node_modules)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
