// Staff reachable without linking: a coach who only has a WhatsApp number on their account gets
// the assignment notice on WhatsApp through the same paced delivery queue (fake socket).
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../../bot/channels/whatsapp/sender.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { whatsappRule } from "../../bot/delivery/pacing.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { actorOf, makeUser, requestInput } from "../helpers/fixtures.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, recordingEngine, until } from "./harness.js";

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

it("delivers a coach's assignment notice to the WhatsApp number on their account, with no chat linked", async () => {
  const fake = fakeFactory({
    onCreate: (sock) => {
      sock.pair();
      autoConnect(sock);
    },
  });
  channel = channelFor(h, { engine: recordingEngine().engine, socketFactory: fake.factory });
  await channel.start();
  await until(() => channel.connectedSocket(), 5_000, "open");
  const sock = fake.last() as FakeSocket;

  const sup = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["SUPERVISOR"]);
  const coach = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["COACH"], "Pembina Nomor Saja");
  await h.t.db.user.update({ where: { id: coach.id }, data: { whatsapp: "+6281277005555" } });
  expect(await h.t.db.channelIdentity.count({ where: { userId: coach.id } })).toBe(0);

  const { request } = await submitRequest(h.t.db, requestInput(), { channel: "web", defaultOfficeId: h.ctx.defaultOfficeId });
  await changeStatus(h.t.db, actorOf(sup), { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(h.t.db, actorOf(sup), { requestId: request.id, to: "APPROVED", coachIds: [coach.id] });

  const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
  delivery = startDelivery(h.ctx, [sender], { relay: { pollMs: 50 }, workers: { whatsapp: { pacing: whatsappRule(100, 300) } } });

  const sent = await until(() => sock.sent.find((s) => s.jid === "6281277005555@s.whatsapp.net"), 60_000, "the assignment notice");
  expect(JSON.stringify(sent)).toContain(request.code);
  const row = await until(
    async () => h.t.db.outbox.findFirst({ where: { requestId: request.id, kind: "coach.assigned", recipientUserId: coach.id, status: "SENT" } }),
    60_000,
    "the row marked sent",
  );
  expect(await h.t.db.delivery.findFirst({ where: { outboxId: row.id, channel: "whatsapp", status: "SENT" } })).not.toBeNull();
}, 120_000);
