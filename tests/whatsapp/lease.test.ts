// Exactly one live socket per office number across instances: a Redis lease. Two instances
// start, one connects and the other stands by; when the holder dies the other takes over,
// and never while the old socket could still be alive.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../../bot/channels/whatsapp/sender.js";
import { readChannelStatus } from "../../core/runtime/channel-status.js";
import { createRedis, type Redis } from "../../core/runtime/redis.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, manualSchedule, recordingEngine, until } from "./harness.js";
import { USER_JID } from "./messages.js";

// Generous against a busy machine: a stall longer than the TTL really does hand the lease over.
const TTL = 2_000;
const RENEW = 250;

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

/** Timers that stop firing while "stalled" and then fire all at once, as after a blocked event loop. */
function stallableTimers() {
  let stalled = false;
  const held: (() => void)[] = [];
  const wrap = (fn: () => void) => () => (stalled ? held.push(fn) : fn());
  return {
    timers: {
      setInterval: (fn: () => void, ms: number) => setInterval(wrap(fn), ms).unref(),
      clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout),
      setTimeout: (fn: () => void, ms: number) => setTimeout(wrap(fn), ms).unref(),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    },
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const fn of held.splice(0)) fn();
    },
  };
}

describe("lease fencing", () => {
  it("a holder whose event loop stalled past the TTL neither sends nor reconnects once another instance took over; it closes its socket first", async () => {
    const created: { name: string; at: number; othersEnded: boolean }[] = [];
    const all: FakeSocket[] = [];
    const clock = stallableTimers();
    const timer = manualSchedule();
    const redisA = createRedis(h.ctx.config.REDIS_URL);
    conns.push(redisA);
    const fakeA = fakeFactory({
      onCreate: (sock) => {
        created.push({ name: "a", at: performance.now(), othersEnded: all.every((s) => s === sock || s.ended) });
        all.push(sock);
        sock.pair();
        autoConnect(sock);
      },
    });
    const a = channelFor(
      h,
      {
        engine: recordingEngine().engine,
        socketFactory: fakeA.factory,
        leaseTtlMs: TTL,
        leaseRenewMs: RENEW,
        instanceId: "a",
        timers: clock.timers,
        schedule: timer.schedule,
        random: () => 0.5,
      },
      redisA,
    );
    channels.push(a);
    await a.start();
    await until(() => a.connectedSocket(), 2_000, "a open");
    const sockA = fakeA.last() as FakeSocket;
    const b = instance("b", created, all);
    await b.channel.start();
    expect(b.channel.state).toBe("standby");

    // A's event loop stalls: no renewal, no expiry guard. B takes over once the TTL runs out.
    clock.stall();
    await until(() => created.some((c) => c.name === "b"), TTL + RENEW * 6 + 2_000, "b took over");
    expect(a.connectedSocket()).toBe(sockA); // A still believes it is connected

    // A notice in A's hands goes nowhere: the fencing check in Redis refuses, and A closes its socket.
    const sender = new WhatsAppSender(a, { db: h.t.db, storage: h.ctx.storage });
    await expect(sender.send(USER_JID, { text: "Pengingat" })).rejects.toMatchObject({ name: "WhatsAppNotConnectedError" });
    expect(sockA.sent).toEqual([]);
    expect(sockA.ended).toBe(true);
    expect(a.connectedSocket()).toBeUndefined();

    // A reconnect that was scheduled before the stall does not open a second socket either.
    const socketsBefore = fakeA.sockets.length;
    if (timer.due()) timer.fire();
    clock.resume();
    await new Promise((r) => setTimeout(r, RENEW * 3));
    expect(fakeA.sockets).toHaveLength(socketsBefore);
    expect(a.state).toBe("standby");
    const holder = await h.redis.get(`${h.ctx.redisPrefix}:whatsapp:lease`);
    expect(holder).toBe("b");
  });

  it("a holder stalled while its socket dropped: the reconnect it had scheduled checks the lease in Redis first", async () => {
    const clock = stallableTimers();
    const timer = manualSchedule();
    const redisA = createRedis(h.ctx.config.REDIS_URL);
    conns.push(redisA);
    const fakeA = fakeFactory({
      onCreate: (sock) => {
        sock.pair();
        autoConnect(sock);
      },
    });
    const a = channelFor(
      h,
      {
        engine: recordingEngine().engine,
        socketFactory: fakeA.factory,
        leaseTtlMs: TTL,
        leaseRenewMs: RENEW,
        instanceId: "a2",
        timers: clock.timers,
        schedule: timer.schedule,
        random: () => 0.5,
      },
      redisA,
    );
    channels.push(a);
    await a.start();
    await until(() => a.connectedSocket(), 2_000, "open");
    clock.stall();
    (fakeA.last() as FakeSocket).close(428);
    await until(() => timer.due(), 2_000, "reconnect scheduled");
    const created: { name: string; at: number; othersEnded: boolean }[] = [];
    const b = instance("b2", created, []);
    await b.channel.start();
    await until(() => created.length === 1, TTL + RENEW * 6 + 2_000, "b2 took over");
    timer.fire(); // A's reconnect wakes up before its renewal does
    await until(() => a.state === "standby", 2_000, "a stood down");
    expect(fakeA.sockets).toHaveLength(1);
    clock.resume();
  });
});
