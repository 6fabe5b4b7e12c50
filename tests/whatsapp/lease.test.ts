// Exactly one live socket per office number across instances: a Redis lease. Two instances
// start, one connects and the other stands by; when the holder dies the other takes over,
// and never while the old socket could still be alive.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { readChannelStatus } from "../../core/runtime/channel-status.js";
import { createRedis, type Redis } from "../../core/runtime/redis.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, recordingEngine, until } from "./harness.js";

const TTL = 600;
const RENEW = 150;

let h: Harness;
const conns: Redis[] = [];
const channels: WhatsAppChannel[] = [];
beforeAll(async () => {
  h = await harness();
});
afterEach(async () => {
  for (const c of channels.splice(0)) await c.stop();
  for (const r of conns.splice(0)) r.disconnect();
});
afterAll(async () => h.close());

function instance(name: string, created: { name: string; at: number; othersEnded: boolean }[], all: FakeSocket[]) {
  const redis = createRedis(h.ctx.config.REDIS_URL);
  redis.on("error", () => {});
  conns.push(redis);
  const fake = fakeFactory({
    onCreate: (sock) => {
      created.push({ name, at: performance.now(), othersEnded: all.every((s) => s === sock || s.ended) });
      all.push(sock);
      autoConnect(sock);
    },
  });
  const channel = channelFor(
    h,
    { engine: recordingEngine().engine, socketFactory: fake.factory, leaseTtlMs: TTL, leaseRenewMs: RENEW, instanceId: name },
    redis,
  );
  channels.push(channel);
  return { channel, fake, redis };
}

describe("one socket per number", () => {
  it("only one of two instances connects; the other is on standby; when the holder dies the standby takes over", async () => {
    const created: { name: string; at: number; othersEnded: boolean }[] = [];
    const all: FakeSocket[] = [];
    const a = instance("a", created, all);
    const b = instance("b", created, all);
    await Promise.all([a.channel.start(), b.channel.start()]);
    await until(() => created.length === 1, 2_000, "one socket");
    // Several renewals later, still exactly one socket.
    await new Promise((r) => setTimeout(r, RENEW * 4));
    expect(created).toHaveLength(1);
    const [holder, standby] = created[0]!.name === "a" ? [a, b] : [b, a];
    expect(standby.channel.state).toBe("standby");
    expect(holder.channel.state).toBe("qr");
    // The shared status (the admin page) is the holder's; the standby never overwrites it.
    const status = await readChannelStatus(h.redis, h.ctx.redisPrefix, "whatsapp");
    expect(status).toMatchObject({ state: "qr", instance: holder.channel.instanceId });

    // The holder loses Redis (as if its process or network died): it cannot renew.
    const died = performance.now();
    holder.redis.disconnect();
    await until(() => created.length === 2, TTL + RENEW * 4 + 1_000, "takeover");
    const takeover = created[1]!;
    expect(takeover.name).toBe(standby.channel.instanceId);
    expect(takeover.at - died).toBeLessThan(TTL + RENEW * 3 + 500);
    // The old socket was closed by its own instance before the lease could pass on.
    expect(takeover.othersEnded).toBe(true);
    expect(all[0]!.ended).toBe(true);
    expect(holder.channel.state).toBe("standby");
    await until(async () => (await readChannelStatus(h.redis, h.ctx.redisPrefix, "whatsapp")).instance === standby.channel.instanceId);
  });

  it("a clean stop hands the lease over at once instead of waiting for it to expire", async () => {
    const created: { name: string; at: number; othersEnded: boolean }[] = [];
    const all: FakeSocket[] = [];
    const c = instance("c", created, all);
    await c.channel.start();
    await until(() => created.length === 1);
    const d = instance("d", created, all);
    await d.channel.start();
    expect(d.channel.state).toBe("standby");
    const stopped = performance.now();
    await c.channel.stop();
    await until(() => created.length === 2, 2_000, "handover");
    expect(created[1]!.name).toBe("d");
    expect(created[1]!.at - stopped).toBeLessThan(RENEW * 3);
    expect(created[1]!.othersEnded).toBe(true);
  });
});
