// npm run test:node22: the whole `npm test` on Node 22, whatever Node runs this script. The
// `node@22` package from the npm registry ships the binary; putting its folder first on PATH makes
// npm, tsx, vitest and every process they start use it. NODE_RELEASE picks another (e.g. 24).
import { spawnSync } from "node:child_process";
import path from "node:path";

const release = process.env.NODE_RELEASE ?? "22";
const found = spawnSync("npx", ["--yes", `node@${release}`, "-p", "process.execPath + ' ' + process.version"], { encoding: "utf8" });
if (found.status !== 0) {
  console.error(`Could not get Node ${release} from the npm registry (npx node@${release}):\n${found.stderr}`);
  process.exit(found.status ?? 1);
}
const [binary, version] = found.stdout.trim().split(" ");
console.log(`test:node${release}: running npm test on Node ${version} (${binary})`);
const env = { ...process.env, PATH: `${path.dirname(binary)}${path.delimiter}${process.env.PATH}` };
const result = spawnSync("npm", ["test", "--", ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(result.status ?? 1);
