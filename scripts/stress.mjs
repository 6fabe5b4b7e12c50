// npm run test:stress: the whole `npm test` while busy loops keep every core occupied, to prove the
// suite does not depend on an idle machine. The loops are worker threads of this process, so they
// end with it whatever happens (failure, Ctrl+C, kill). STRESS_THREADS overrides their number.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

const threads = Number(process.env.STRESS_THREADS ?? availableParallelism());
if (!Number.isInteger(threads) || threads < 1) {
  console.error(`STRESS_THREADS must be a positive whole number (got ${process.env.STRESS_THREADS}).`);
  process.exit(2);
}

const started = Date.now();
const cpuBefore = process.cpuUsage();
const hogs = Array.from({ length: threads }, () => new Worker("for (;;) {}", { eval: true }));
console.log(`test:stress: ${threads} busy thread(s) started beside the suite`);

// spawnSync blocks only this thread; the hogs keep spinning on theirs.
const result = spawnSync("npm", ["test", "--", ...process.argv.slice(2)], { stdio: "inherit" });
await Promise.all(hogs.map((w) => w.terminate()));

const wall = (Date.now() - started) / 1000;
const { user, system } = process.cpuUsage(cpuBefore);
const hogSeconds = (user + system) / 1e6;
console.log(
  `test:stress: suite ${result.status === 0 ? "passed" : "FAILED"} in ${wall.toFixed(0)} s; ` +
    `the busy threads used ${hogSeconds.toFixed(0)} CPU-seconds (${(hogSeconds / wall).toFixed(2)} cores on average)`,
);
if (result.error) console.error(result.error.message);
process.exit(result.status ?? 1);
