// The connection lifecycle against a fake socket: QR, pairing code, open, every close reason
// with capped exponential backoff, logout handling, and resuming after a restart.
import { createHash } from "node:crypto";
import { DisconnectReason } from "@whiskeysockets/baileys";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { alertAdminsLoggedOut } from "../../bot/channels/whatsapp/alerts.js";
import { serialise } from "../../bot/channels/whatsapp/auth-state.js";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { requestPairing } from "../../bot/channels/whatsapp/pairing.js";
import { readChannelStatus } from "../../core/runtime/channel-status.js";
import { makeUser } from "../helpers/fixtures.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, manualSchedule, recordingEngine, until } from "./harness.js";

let h: Harness;
const running: WhatsAppChannel[] = [];
beforeAll(async () => {
  h = await harness();
});
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  await h.t.db.whatsappAuth.deleteMany({});
  await h.redis.del(`${h.ctx.redisPrefix}:whatsapp:lease`, `${h.ctx.redisPrefix}:channel:whatsapp:status`);
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
  const reasons = Object.entries(DisconnectReason).filter(([name, code]) => typeof code === "number" && name !== "loggedOut") as [string, number][];

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

  it("backs off exponentially up to the cap, and starts over after a successful open", async () => {
    const { timer, fake } = await started();
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
    sock.close(DisconnectReason.connectionClosed);
    await until(() => timer.delays().length === 7);
    expect(timer.delays()[6]).toBe(750);
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
