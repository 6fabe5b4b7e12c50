// What each kind of WhatsApp message becomes for the engine, built from proto.WebMessageInfo.
import { describe, expect, it } from "vitest";
import type { LidLookup } from "../../bot/channels/whatsapp/identity.js";
import { phoneFromJid, toJid } from "../../bot/channels/whatsapp/identity.js";
import { normaliseMessage } from "../../bot/channels/whatsapp/inbound.js";
import { GROUP_JID, m, PDF, USER_JID, USER_LID, USER_PHONE } from "./messages.js";

const downloads: string[] = [];
const deps = {
  download: async (msg: { key: { id?: string | null } }) => {
    downloads.push(msg.key.id ?? "");
    return PDF;
  },
};

async function eventOf(msg: Parameters<typeof normaliseMessage>[0], lids?: LidLookup) {
  const n = await normaliseMessage(msg, { ...deps, lids });
  if (n.kind !== "event") throw new Error(`expected an event, got ${JSON.stringify(n)}`);
  return n;
}

describe("inbound normalisation", () => {
  it("plain conversation text becomes a text event keyed by the message id, with the sender's phone", async () => {
    const msg = m.text("halo", { pushName: "Bu Rina" });
    const { event, sender } = await eventOf(msg);
    expect(event).toMatchObject({ channel: "whatsapp", kind: "text", text: "halo", externalId: USER_JID, updateId: msg.key.id, phone: USER_PHONE });
    expect(event.displayName).toBe("Bu Rina");
    expect(sender.replyJid).toBe(USER_JID);
    expect(event.receivedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("extended text (a reply or a message with a link preview) and disappearing-message text are text", async () => {
    expect((await eventOf(m.extended("2"))).event).toMatchObject({ kind: "text", text: "2" });
    expect((await eventOf(m.ephemeralText("menu"))).event).toMatchObject({ kind: "text", text: "menu" });
  });

  it("list and button replies carry the choice id", async () => {
    expect((await eventOf(m.listReply("svc:FGD", "FGD"))).event).toMatchObject({ kind: "choice", choiceId: "svc:FGD", text: "FGD" });
    expect((await eventOf(m.buttonReply("yes", "Ya"))).event).toMatchObject({ kind: "choice", choiceId: "yes", text: "Ya" });
  });

  it("a document is a file with its name and announced size, downloaded only when asked", async () => {
    const msg = m.document("surat-permohonan.pdf", 48_213);
    const before = downloads.length;
    const { event } = await eventOf(msg);
    expect(event.kind).toBe("file");
    expect(event.file).toMatchObject({ fileName: "surat-permohonan.pdf", mimeType: "application/pdf", size: 48_213 });
    expect(downloads.length).toBe(before);
    expect(await event.file!.download()).toEqual(PDF);
    expect(downloads.at(-1)).toBe(msg.key.id);
  });

  it("documentWithCaptionMessage (what WhatsApp Web sends) is a file with its caption", async () => {
    const { event } = await eventOf(m.documentWithCaption("TOR FGD.pdf", 9_000, "ini TOR kegiatannya"));
    expect(event.kind).toBe("file");
    expect(event.file).toMatchObject({ fileName: "TOR FGD.pdf", size: 9_000, caption: "ini TOR kegiatannya" });
  });

  it("an image with a caption is a file", async () => {
    const { event } = await eventOf(m.image(120_000, "foto undangan"));
    expect(event.kind).toBe("file");
    expect(event.file).toMatchObject({ mimeType: "image/jpeg", size: 120_000, caption: "foto undangan" });
  });

  it("stickers, locations and edits are unsupported (the engine answers with a hint)", async () => {
    for (const msg of [m.sticker(), m.location(), m.edit("koreksi")]) expect((await eventOf(msg)).event.kind).toBe("unsupported");
  });

  it("ignores our own messages, status broadcasts, newsletters, reactions, protocol messages and undecryptable stubs", async () => {
    const cases = [
      [m.text("echo", { fromMe: true }), "from_me"],
      [m.text("status", { from: "status@broadcast", participant: USER_JID }), "status"],
      [m.text("news", { from: "120363144038483540@newsletter" }), "newsletter"],
      [m.text("list", { from: "1234567890@broadcast" }), "broadcast"],
      [m.reaction(), "protocol"],
      [m.revoke(), "protocol"],
      [m.senderKeyOnly(), "protocol"],
      [m.stub(), "stub"],
    ] as const;
    for (const [msg, reason] of cases) expect(await normaliseMessage(msg, deps)).toEqual({ kind: "ignore", reason });
  });

  it("a group message is reported as a group, but a reaction in a group is ignored", async () => {
    const msg = m.text("halo semua", { from: GROUP_JID, participant: USER_JID });
    expect(await normaliseMessage(msg, deps)).toEqual({ kind: "group", groupJid: GROUP_JID, updateId: msg.key.id });
    expect((await normaliseMessage(m.reaction({ from: GROUP_JID, participant: USER_JID }), deps)).kind).toBe("ignore");
  });

  it("a LID sender is keyed on the LID, gets its phone from the key's alternate JID, and replies go to the LID chat", async () => {
    const { event, sender } = await eventOf(m.text("halo", { from: USER_LID, remoteJidAlt: USER_JID }));
    expect(sender.replyJid).toBe(USER_LID);
    expect(event.externalId).toBe(USER_LID);
    expect(event.phone).toBe(USER_PHONE);
    expect(sender).toMatchObject({ lid: USER_LID, phoneJid: USER_JID });
  });

  it("a phone-JID chat is keyed on its LID when the mapping store knows it (getLIDForPN), replying to the phone chat", async () => {
    const lids: LidLookup = { getPNForLID: async () => null, getLIDForPN: async (pn) => (pn === USER_JID ? USER_LID : null) };
    const { event, sender } = await eventOf(m.text("halo"), lids);
    expect(event.externalId).toBe(USER_LID);
    expect(event.phone).toBe(USER_PHONE);
    expect(sender.replyJid).toBe(USER_JID);
  });

  it("a phone-JID chat whose LID is not known yet is keyed on the phone JID for now", async () => {
    const { event, sender } = await eventOf(m.text("halo"), { getPNForLID: async () => null, getLIDForPN: async () => null });
    expect(event.externalId).toBe(USER_JID);
    expect(sender.lid).toBeUndefined();
  });

  it("a LID sender without an alternate JID is resolved through the LID mapping store", async () => {
    const asked: string[] = [];
    const lids: LidLookup = {
      async getPNForLID(lid) {
        asked.push(lid);
        return "6281234567890:0@s.whatsapp.net";
      },
    };
    const { event, sender } = await eventOf(m.text("halo", { from: USER_LID }), lids);
    expect(asked).toEqual([USER_LID]);
    expect(event.phone).toBe(USER_PHONE);
    expect(event.externalId).toBe(USER_LID);
    expect(sender.replyJid).toBe(USER_LID);
  });

  it("an unresolvable LID still works: identity and reply address are the LID, no phone", async () => {
    const lids: LidLookup = { getPNForLID: async () => null };
    const { event, sender } = await eventOf(m.text("halo", { from: USER_LID }), lids);
    expect(event.externalId).toBe(USER_LID);
    expect(event.phone).toBeUndefined();
    expect(sender.replyJid).toBe(USER_LID);
  });

  it("never throws on hostile or empty shapes", async () => {
    const weird = [
      { key: {} },
      { key: { remoteJid: USER_JID } },
      { key: { remoteJid: USER_JID, id: "A" }, message: {} },
      { key: { remoteJid: USER_JID, id: "B" }, message: { interactiveResponseMessage: { nativeFlowResponseMessage: { paramsJson: "{not json" } } } },
      { key: { remoteJid: "garbage", id: "C" }, message: { conversation: "x" } },
    ];
    for (const w of weird) await expect(normaliseMessage(w as never, deps)).resolves.toHaveProperty("kind");
  });
});

describe("JIDs and phones", () => {
  it("maps phone JIDs (with device suffix) to E.164 and back", () => {
    expect(phoneFromJid("6281234567890:12@s.whatsapp.net")).toBe(USER_PHONE);
    expect(phoneFromJid(USER_LID)).toBeNull();
    expect(phoneFromJid("14155550123@s.whatsapp.net")).toBeNull();
    expect(toJid("0812-3456-7890")).toBe(USER_JID);
    expect(toJid(USER_PHONE)).toBe(USER_JID);
    expect(toJid(USER_LID)).toBe(USER_LID);
  });
});
