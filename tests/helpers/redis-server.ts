// A throwaway redis-server on a spare port, for tests that kill Redis and start it again empty
// (the shared one on 6379 is never touched).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { Redis } from "ioredis";

export async function spareTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

export class ThrowawayRedis {
  private proc: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ThrowawayRedis> {
    const r = new ThrowawayRedis(await spareTcpPort());
    await r.restart();
    return r;
  }

  /** Starts it (again), empty: it keeps nothing on disk. Resolves once it answers PING. */
  async restart(): Promise<void> {
    this.proc = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on("error", () => {});
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .catch(() => null);
      probe.disconnect();
      if (ok === "PONG") return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** kill -9: everything it held is gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill("SIGKILL");
    await once(p, "exit");
  }
}
