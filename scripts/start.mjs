// npm start: the product as plain JavaScript (dist/main.js), built first when the sources are
// newer than the last build. No TypeScript loader runs in this process.
import { build, isFresh } from "./build.mjs";

if (!isFresh()) {
  console.log("Building Sibina (dist/)…");
  build();
}
const { runFromCommandLine } = await import("../dist/main.js");
await runFromCommandLine();
