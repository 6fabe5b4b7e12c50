// The connection lifecycle against a fake socket: QR, pairing code, open, every close reason
// with capped exponential backoff, logout handling, and resuming after a restart.
import { createHash } from "node:crypto";
import { DEFAULT_CONNECTION_CONFIG, DisconnectReason } from "@whiskeysockets/baileys";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { alertAdminsLoggedOut } from "../../bot/channels/whatsapp/alerts.js";
import { serialise } from "../../bot/channels/whatsapp/auth-state.js";
import { REPLACED_LIMIT, WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { requestPairing } from "../../bot/channels/whatsapp/pairing.js";
import { CHANNEL_ALERT_KIND } from "../../core/notifications/intents.js";
import { readChannelStatus } from "../../core/runtime/channel-status.js";
import { makeUser } from "../helpers/fixtures.js";
import { autoConnect, type FakeSocket, FakeWhatsApp, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, manualSchedule, pinnedVersion, recordingEngine, until } from "./harness.js";

let h: Harness;
const running: WhatsAppChannel[] = [];
beforeAll(async () => {
  h = await harness();
});
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  await h.t.db.whatsappAuth.deleteMany({});
  await h.redis.del(`${h.ctx.redisPrefix}:whatsapp:lease`, `${h.ctx.redisPrefix}:channel:whatsapp:status`);
  await h.t.db.outbox.deleteMany({});
});
afterAll(async () => h.close());

const status = () => readChannelStatus(h.redis, h.ctx.redisPrefix, "whatsapp");
const backoff = { baseMs: 1_000, maxMs: 8_000 };

async function started(opts: Partial<Parameters<typeof channelFor>[1]> = {}) {
  const fake = fakeFactory({ onCreate: autoConnect });
  const timer = manualSchedule();
  const qrs: string[] = [];
  const lines: string[] = [];
  const channel = channelFor(h, {
    engine: recordingEngine().engine,
    socketFactory: fake.factory,
    schedule: timer.schedule,
    backoff,
    random: () => 0.5,
    printQr: (qr) => {
      qrs.push(qr);
    },
    say: (l) => lines.push(l),
    ...opts,
  });
  running.push(channel);
  await channel.start();
  const sock = await until(() => fake.last(), 2_000, "a socket");
  return { channel, fake, timer, qrs, lines, sock };
}

describe("connection and pairing", () => {
  it("shows the QR on the status (for the admin page) and in the terminal, rotating as Baileys does", async () => {
    const { sock, qrs } = await started();
    const first = await until(async () => ((await status()).state === "qr" ? status() : null));
    expect(first.qr).toBe(qrs[0]);
    expect(first.qr).toMatch(/^2@/);
    sock.qr("2@second-ref,noise,identity,adv");
    await until(async () => (await status()).qr === "2@second-ref,noise,identity,adv");
    expect(qrs).toHaveLength(2);
  });

  it("prints a scannable QR in the terminal by default", async () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      const { channel } = await started({ printQr: undefined });
      await until(() => written.some((w) => w.includes("▀") || w.includes("█")), 3_000, "terminal QR");
      await channel.stop();
    } finally {
      process.stdout.write = original;
    }
    expect(written.join("")).toContain("Linked devices");
  });

  it("pairs by code from any instance: the admin's phone goes to Baileys, the code comes back and is on the status", async () => {
    const { sock, lines } = await started();
    await until(async () => (await status()).state === "qr");
    const result = await requestPairing(h.redis, h.ctx.redisPrefix, "0811-0000-0001");
    expect(result).toEqual({ ok: true, code: "ABCD1234" });
    expect(sock.pairingRequests).toEqual(["6281100000001"]);
    const s = await status();
    expect(s).toMatchObject({ state: "pairing", pairingCode: "ABCD1234" });
    expect(lines.some((l) => l.includes("ABCD1234"))).toBe(true);
    // A QR rotation while waiting for the code keeps the code on the page.
    sock.qr("2@rotated");
    await until(async () => (await status()).qr === "2@rotated");
    expect((await status()).pairingCode).toBe("ABCD1234");
  });

  it("refuses pairing for a bad phone, when nothing runs, and once linked", async () => {
    expect(await requestPairing(h.redis, h.ctx.redisPrefix, "12ab")).toEqual({ ok: false, reason: "invalid_phone" });
    expect(await requestPairing(h.redis, h.ctx.redisPrefix, "081100000001")).toEqual({ ok: false, reason: "not_running" });
    const { sock } = await started();
    await until(async () => (await status()).state === "qr");
    sock.pair();
    sock.open();
    await until(async () => (await status()).state === "open");
    expect(await requestPairing(h.redis, h.ctx.redisPrefix, "081100000001")).toEqual({ ok: false, reason: "already_linked" });
    expect(sock.pairingRequests).toEqual([]);
  });

  it("after a scan, saves the credentials and a restart resumes without a new QR", async () => {
    const first = await started();
    await until(async () => (await status()).state === "qr");
    first.sock.pair();
    first.sock.close(DisconnectReason.restartRequired); // what WhatsApp does right after a scan
    await until(() => first.timer.delays().length === 1);
    expect(first.timer.delays()[0]).toBe(750); // the first backoff step, not grown
    first.timer.fire();
    const second = await until(() => (first.fake.sockets.length === 2 ? first.fake.sockets[1] : null));
    await until(async () => (await status()).state === "open");
    expect(second.auth.creds.account).toBeTruthy();
    // One auth object (and save queue) per lease: the new socket continues the same credentials.
    expect(second.auth.creds).toBe(first.sock.auth.creds);
    await first.channel.stop();

    const qrsBefore = first.qrs.length;
    const again = await started();
    await until(async () => (await status()).state === "open");
    expect(again.sock.auth.creds.me?.id).toBe(first.sock.auth.creds.me?.id);
    expect(Buffer.from(again.sock.auth.creds.noiseKey.public).equals(Buffer.from(first.sock.auth.creds.noiseKey.public))).toBe(true);
    expect(again.qrs).toEqual([]);
    expect(first.qrs.length).toBe(qrsBefore);
  });
});

describe("closes and reconnects", () => {
  // loggedOut, connectionReplaced (440) and forbidden (403) have their own handling below.
  const reasons = Object.entries(DisconnectReason).filter(
    ([name, code]) => typeof code === "number" && !["loggedOut", "connectionReplaced", "forbidden"].includes(name),
  ) as [string, number][];

  it.each(reasons)("%s: status closed with the reason, reconnect after a backoff", async (name, code) => {
    const { sock, timer, fake } = await started();
    await until(async () => (await status()).state === "qr");
    sock.close(code);
    await until(() => timer.delays().length === 1, 2_000, "a scheduled reconnect");
    const s = await status();
    expect(s.state).toBe("closed");
    // 408 is both timedOut and connectionLost; the reason names whichever Baileys' enum keeps.
    expect(code === 408 ? ["timedOut", "connectionLost"] : [name]).toContain(s.reason);
    expect(timer.delays()[0]).toBeGreaterThanOrEqual(500);
    expect(timer.delays()[0]).toBeLessThanOrEqual(1_000);
    timer.fire();
    await until(() => fake.sockets.length === 2, 2_000, "a new socket");
    expect(await h.t.db.outbox.count()).toBe(0);
  });

  it("backs off exponentially up to the cap, and starts over only after a minute open", async () => {
    let now = Date.now();
    const { timer, fake } = await started({ now: () => now });
    for (let i = 0; i < 6; i++) {
      const sock = fake.sockets[i] as FakeSocket;
      await until(async () => (await status()).state === "qr");
      sock.close(DisconnectReason.connectionLost);
      await until(() => timer.delays().length === i + 1);
      timer.fire();
      await until(() => fake.sockets.length === i + 2);
    }
    // step = min(8 s, 1 s · 2^n), delay = step/2 + random·step/2 with random = 0.5
    expect(timer.delays()).toEqual([750, 1_500, 3_000, 6_000, 6_000, 6_000]);

    const sock = fake.sockets[6] as FakeSocket;
    await until(async () => (await status()).state === "qr");
    sock.pair();
    sock.open();
    await until(async () => (await status()).state === "open");
    // Open for only 20 s: a flapping connection keeps its backoff.
    now += 20_000;
    sock.close(DisconnectReason.connectionClosed);
    await until(() => timer.delays().length === 7);
    expect(timer.delays()[6]).toBe(6_000);
    timer.fire();
    const again = await until(() => fake.sockets[7]);
    await until(async () => (await status()).state === "open");
    // Open for over a minute: the next close starts from the first step.
    now += 61_000;
    again.close(DisconnectReason.connectionClosed);
    await until(() => timer.delays().length === 8);
    expect(timer.delays()[7]).toBe(750);
  });

  it("a closed socket's late events are ignored", async () => {
    const { sock, timer, fake } = await started();
    await until(async () => (await status()).state === "qr");
    sock.close(DisconnectReason.connectionLost);
    await until(() => timer.delays().length === 1);
    sock.open(); // a stale socket must not flip the status
    await new Promise((r) => setImmediate(r));
    expect((await status()).state).toBe("closed");
    expect(fake.sockets).toHaveLength(1);
  });
});

describe("logout", () => {
  it("clears the auth state, marks the channel as needing pairing, alerts admins once, and offers a new QR", async () => {
    const admin1 = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    const admin2 = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN", "SUPERVISOR"]);
    await makeUser(h.t.db, h.ctx.defaultOfficeId, ["SUPERVISOR"]);
    const { sock, timer, fake, lines } = await started();
    await until(async () => (await status()).state === "qr");
    sock.pair();
    sock.open();
    await until(async () => (await status()).state === "open");
    await sock.auth.keys.set({ session: { "6281234567890.0": Buffer.from("s") } });
    expect(await h.t.db.whatsappAuth.count()).toBeGreaterThan(1);

    sock.close(DisconnectReason.loggedOut);
    await until(async () => (await status()).state === "logged_out");
    expect(await h.t.db.whatsappAuth.count()).toBe(0);
    // A late creds.update from the ended socket must not write the old session back.
    sock.ev.emit("creds.update", { me: sock.auth.creds.me });
    await new Promise((r) => setImmediate(r));
    expect(await h.t.db.whatsappAuth.count()).toBe(0);
    expect(lines.some((l) => l.includes("logged out"))).toBe(true);
    const alerts = await until(async () => {
      const rows = await h.t.db.outbox.findMany({ where: { kind: "channel.whatsapp_logged_out" } });
      return rows.length === 2 ? rows : null;
    });
    expect(alerts.map((a) => a.recipientUserId).sort()).toEqual([admin1.id, admin2.id].sort());
    expect(alerts.every((a) => a.recipientKind === "ADMIN" && a.status === "PENDING" && a.dedupeKey.includes(a.recipientUserId!))).toBe(true);
    expect(JSON.stringify(alerts[0]!.payload)).not.toMatch(/\d{9,}/); // no phone numbers in the payload

    // A fresh pairing starts (after the first backoff step): new credentials, a new QR, and the page still says why.
    await until(() => timer.delays().length === 1, 2_000, "a scheduled pairing restart");
    expect(timer.delays()).toEqual([750]);
    timer.fire();
    const next = await until(() => fake.sockets[1]);
    expect(next.auth.creds.account).toBeUndefined();
    expect(Buffer.from(next.auth.creds.noiseKey.public).equals(Buffer.from(sock.auth.creds.noiseKey.public))).toBe(false);
    const s = await until(async () => ((await status()).state === "qr" ? status() : null));
    expect(s.reason).toBe("loggedOut");

    // The alert is keyed by the session that ended: reporting the same logout again adds nothing.
    const tag = createHash("sha256").update(serialise(sock.auth.creds.signedIdentityKey.public)).digest("hex").slice(0, 16);
    expect(alerts.every((a) => a.dedupeKey.includes(tag))).toBe(true);
    expect(await alertAdminsLoggedOut(h.t.db, tag)).toBe(0);
    expect(await h.t.db.outbox.count({ where: { kind: "channel.whatsapp_logged_out" } })).toBe(2);
  });
});

describe("closes that must not be retried blindly", () => {
  const alertsOf = async (alert: string) =>
    (await h.t.db.outbox.findMany({ where: { kind: CHANNEL_ALERT_KIND } })).filter((r) => (r.payload as { alert?: string }).alert === alert);

  it.each([
    [402, "temporarilyBanned"],
    [403, "forbidden"],
    [406, "banned"],
  ])("%i (%s): stops, says so on the Channels page and alerts admins, with no reconnect", async (code, reason) => {
    await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    const { sock, timer, fake } = await started();
    await until(async () => (await status()).state === "qr");
    sock.close(code);
    const s = await until(async () => ((await status()).state === "stopped" ? status() : null), 2_000, "stopped");
    expect(s.reason).toBe(reason);
    const alerts = await until(async () => ((await alertsOf("banned")).length > 0 ? alertsOf("banned") : null));
    expect(alerts.map((a) => Number((a.payload as { code: string }).code))).toContain(code);
    expect(timer.delays()).toEqual([]);
    expect(fake.sockets).toHaveLength(1);
    await h.t.db.outbox.deleteMany({});
  });

  it("405: fetches the current WhatsApp Web version and reconnects with it; stops and alerts when that does not help", async () => {
    await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    const versions: [number, number, number][] = [
      [2, 3000, 1],
      [2, 3000, 2],
      [2, 3000, 2],
    ];
    const fetchVersion = async () => ({ version: versions.shift() ?? [2, 3000, 2], isLatest: true });
    const { sock, timer, fake } = await started({ fetchVersion });
    await until(async () => (await status()).state === "qr");
    expect(sock.options?.version).toEqual([2, 3000, 1]);
    sock.close(405);
    await until(() => timer.delays().length === 1, 2_000, "reconnect with the new version");
    timer.fire();
    const second = await until(() => fake.sockets[1]);
    expect(second.options?.version).toEqual([2, 3000, 2]);
    await until(async () => (await status()).state === "qr");
    second.close(405); // the newest version is refused too: nothing more to try
    const s = await until(async () => ((await status()).state === "stopped" ? status() : null));
    expect(s.reason).toBe("versionRefused");
    await until(async () => (await alertsOf("version")).length > 0);
    expect(timer.delays()).toHaveLength(1);
    await h.t.db.outbox.deleteMany({});
  });

  it("works offline: the version fetch fails quietly and Baileys' pinned version is used", async () => {
    const { sock } = await started({ fetchVersion: undefined });
    await until(async () => (await status()).state === "qr", 10_000);
    expect(sock.options?.version).toEqual(DEFAULT_CONNECTION_CONFIG.version);
  });

  it("440 from a second socket on the same credentials (a staging copy on another Redis prefix): no reconnect fight; the side kicked off three times stops and alerts", async () => {
    await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    const server = new FakeWhatsApp();
    const linkAndOpen = (sock: FakeSocket) => {
      if (!sock.auth.creds.account) sock.pair();
      autoConnect(sock);
    };
    const prod = fakeFactory({ server, onCreate: linkAndOpen });
    const staging = fakeFactory({ server, onCreate: linkAndOpen });
    const prodTimer = manualSchedule();
    const stagingTimer = manualSchedule();
    const common = { engine: recordingEngine().engine, backoff, random: () => 0.5 };
    const a = channelFor(h, { ...common, socketFactory: prod.factory, schedule: prodTimer.schedule, instanceId: "prod" });
    running.push(a);
    await a.start();
    await until(() => a.connectedSocket(), 2_000, "prod open");
    const stagingCtx = { ...h.ctx, redisPrefix: `${h.ctx.redisPrefix}-staging` };
    const b = new WhatsAppChannel(stagingCtx, {
      ...common,
      socketFactory: staging.factory,
      schedule: stagingTimer.schedule,
      instanceId: "staging",
      printQr: () => {},
      say: () => {},
      fetchVersion: pinnedVersion,
    });
    running.push(b);
    await b.start();
    await until(() => b.connectedSocket(), 2_000, "staging open");
    // Each open kicks the other off. Drive every reconnect either side schedules, as time would.
    for (let round = 0; round < 20; round++) {
      const side = [
        [prodTimer, prod],
        [stagingTimer, staging],
      ].find(([timer]) => (timer as typeof prodTimer).due()) as [typeof prodTimer, typeof prod] | undefined;
      if (!side) {
        // A close is handled asynchronously (lease check first): give it a moment before concluding.
        const more = await until(() => prodTimer.due() || stagingTimer.due(), 500).catch(() => false);
        if (!more) break;
        continue;
      }
      const [timer, factory] = side;
      const before = factory.sockets.length;
      timer.fire();
      await until(() => factory.sockets.length > before && !(factory.last() as FakeSocket).ended, 2_000, "reconnected").catch(() => null);
    }
    // Never the 0.5–1 s ping-pong: each side waited the longest step, and stopped after three 440s.
    for (const d of [...prodTimer.delays(), ...stagingTimer.delays()]) expect(d).toBeGreaterThanOrEqual(backoff.maxMs / 2);
    expect(server.replacedCount).toBeLessThanOrEqual(2 * REPLACED_LIMIT);
    const states = await until(
      async () => {
        const both = await Promise.all([status(), readChannelStatus(h.redis, stagingCtx.redisPrefix, "whatsapp")]);
        return both.some((s) => s.state === "stopped") ? both : null;
      },
      2_000,
      "a side stopped",
    );
    expect(states.find((s) => s.state === "stopped")?.reason).toBe("connectionReplaced");
    await until(async () => (await alertsOf("replaced")).length > 0, 2_000, "replaced alert");
    await h.redis.del(
      `${stagingCtx.redisPrefix}:whatsapp:lease`,
      `${stagingCtx.redisPrefix}:whatsapp:lease:fence`,
      `${stagingCtx.redisPrefix}:channel:whatsapp:status`,
    );
    await h.t.db.outbox.deleteMany({});
  });

  it("440 after the lease passed to another instance: this one stands down instead of reconnecting", async () => {
    const { channel, sock, timer } = await started();
    await until(async () => (await status()).state === "qr");
    // Another instance holds the lease now (ours lapsed while we were not looking).
    await h.redis.set(`${h.ctx.redisPrefix}:whatsapp:lease`, "someone-else", "PX", 60_000);
    sock.close(440);
    await until(() => channel.state === "standby", 2_000, "standby");
    expect(timer.delays()).toEqual([]);
  });

  it("alerts admins once when the channel has been down longer than WHATSAPP_DOWN_ALERT_MINUTES", async () => {
    await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    let now = Date.now();
    const { sock, timer } = await started({ now: () => now, leaseRenewMs: 50 });
    await until(async () => (await status()).state === "qr");
    sock.close(DisconnectReason.connectionLost);
    await until(() => timer.delays().length === 1);
    expect(await alertsOf("down")).toEqual([]);
    now += (h.ctx.config.WHATSAPP_DOWN_ALERT_MINUTES + 1) * 60_000;
    const alerts = await until(async () => ((await alertsOf("down")).length > 0 ? alertsOf("down") : null), 3_000, "down alert");
    const admins = await h.t.db.user.count({ where: { roles: { has: "ADMIN" }, deletedAt: null } });
    expect(alerts).toHaveLength(admins);
    await new Promise((r) => setTimeout(r, 200)); // several more renewals: still one alert per admin
    expect(await alertsOf("down")).toHaveLength(admins);
    await h.t.db.outbox.deleteMany({});
  });

  it("a QR or pairing code that expires unused (401 before linking) starts a new pairing without a 'logged out' alert", async () => {
    await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    const { sock, timer, fake } = await started();
    await until(async () => (await status()).state === "qr");
    await requestPairing(h.redis, h.ctx.redisPrefix, "0811-0000-0001");
    sock.close(DisconnectReason.loggedOut);
    await until(() => timer.delays().length === 1, 2_000, "a new pairing scheduled");
    expect(await h.t.db.outbox.count({ where: { kind: "channel.whatsapp_logged_out" } })).toBe(0);
    expect((await status()).state).not.toBe("logged_out");
    timer.fire();
    await until(() => fake.sockets[1]);
    await until(async () => (await status()).state === "qr");
  });
});
