// Proactive notices over WhatsApp go through delivery's paced queue: at most one message per
// global gap (with jitter) and a longer gap per recipient, measured on the fake socket's send
// timestamps. A person's own message is still answered at once while notices wait.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../../bot/channels/whatsapp/sender.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { whatsappRule } from "../../bot/delivery/pacing.js";
import { makeUser } from "../helpers/fixtures.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, recordingEngine, until } from "./harness.js";
import { m } from "./messages.js";

const GAP = 250;
const RECIPIENT_GAP = 900;

let h: Harness;
let channel: WhatsAppChannel;
let delivery: Delivery | undefined;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await delivery?.stop();
  await channel?.stop();
  await h.close();
});

describe("outbound pacing", () => {
  it("spaces notices by the global gap and the per-recipient gap, while replies go out at once", async () => {
    const fake = fakeFactory({
      onCreate: (sock) => {
        sock.pair();
        autoConnect(sock);
      },
    });
    channel = channelFor(h, { engine: recordingEngine().engine, socketFactory: fake.factory });
    await channel.start();
    await until(() => channel.connectedSocket(), 2_000, "open");
    const sock = fake.last() as FakeSocket;

    // Three admins on WhatsApp; the first gets three notices, the others one each.
    const jids = ["6281211110001@s.whatsapp.net", "6281211110002@s.whatsapp.net", "6281211110003@s.whatsapp.net"];
    const rows: { kind: string; dedupeKey: string; recipientKind: "ADMIN"; recipientUserId: string; payload: object }[] = [];
    for (const [i, jid] of jids.entries()) {
      const admin = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
      await h.t.db.channelIdentity.create({ data: { channel: "whatsapp", externalId: jid, phone: `+${jid.slice(0, 13)}`, userId: admin.id } });
      for (let n = 0; n < (i === 0 ? 3 : 1); n++) {
        rows.push({
          kind: "channel.whatsapp_logged_out",
          dedupeKey: `pacing:${i}:${n}`,
          recipientKind: "ADMIN",
          recipientUserId: admin.id,
          payload: { channel: "whatsapp" },
        });
      }
    }
    await h.t.db.outbox.createMany({ data: rows });

    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    delivery = startDelivery(h.ctx, [sender], { relay: { pollMs: 50 }, workers: { whatsapp: { pacing: whatsappRule(GAP, RECIPIENT_GAP) } } });

    // While notices are being paced, a person writes: the reply does not wait for a slot.
    await until(() => sock.sent.length >= 1, 10_000, "first notice");
    const asked = performance.now();
    sock.receive(m.text("halo", { from: "6285299990000@s.whatsapp.net" }));
    const reply = await until(() => sock.sent.find((s) => s.jid === "6285299990000@s.whatsapp.net"), 2_000, "reply");
    expect(reply.at - asked).toBeLessThan(GAP);

    await until(() => sock.sent.filter((s) => jids.includes(s.jid)).length === 5, 15_000, "all notices");
    const notices = sock.sent.filter((s) => jids.includes(s.jid));
    for (let i = 1; i < notices.length; i++) {
      // Redis time has millisecond resolution; allow 5 ms of clock rounding.
      expect(notices[i]!.at - notices[i - 1]!.at).toBeGreaterThanOrEqual(GAP - 5);
    }
    const toFirst = notices.filter((s) => s.jid === jids[0]);
    expect(toFirst).toHaveLength(3);
    for (let i = 1; i < toFirst.length; i++) expect(toFirst[i]!.at - toFirst[i - 1]!.at).toBeGreaterThanOrEqual(RECIPIENT_GAP - 5);
    // The others were not held back behind the first admin's queue.
    const others = notices.filter((s) => s.jid !== jids[0]).map((s) => s.at);
    expect(Math.max(...others)).toBeLessThan(toFirst[2]!.at);

    // Each send is recorded right after WhatsApp accepted it, with WhatsApp's message id.
    const deliveries = await until(async () => {
      // A row is a SENDING claim from just before its send until WhatsApp accepted the message.
      const rows = await h.t.db.delivery.findMany({ where: { channel: "whatsapp", status: { not: "SENDING" } } });
      return rows.length === 5 ? rows : null;
    });
    expect(deliveries.every((d) => d.status === "SENT" && /^OUT\d+$/.test(d.externalId ?? ""))).toBe(true);
  });
});
