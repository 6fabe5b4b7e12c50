// proto.WebMessageInfo objects shaped like the ones Baileys 7 emits in messages.upsert.
import { proto, type WAMessage } from "@whiskeysockets/baileys";

let seq = 0;
const nextId = () => `3EB0${Date.now().toString(16).toUpperCase()}${(seq++).toString(16).toUpperCase().padStart(4, "0")}`;

export const USER_PHONE = "+6281234567890";
export const USER_JID = "6281234567890@s.whatsapp.net";
export const USER_LID = "123456789012345@lid";
export const GROUP_JID = "120363025246125888@g.us";

interface KeyOpts {
  from?: string;
  id?: string;
  fromMe?: boolean;
  remoteJidAlt?: string;
  participant?: string;
  participantAlt?: string;
  pushName?: string;
  /** When the person sent it (default now); offline messages arrive with their original time. */
  sentAt?: Date;
}

function wrap(message: proto.IMessage, opts: KeyOpts = {}): WAMessage {
  const from = opts.from ?? USER_JID;
  const msg = proto.WebMessageInfo.fromObject({
    key: { remoteJid: from, fromMe: opts.fromMe ?? false, id: opts.id ?? nextId(), participant: opts.participant },
    message,
    messageTimestamp: Math.floor((opts.sentAt ?? new Date()).getTime() / 1000),
    pushName: opts.pushName ?? "Siddik",
  }) as WAMessage;
  // Baileys 7 adds the alternate address (PN for a LID chat and vice versa) on the key.
  if (opts.remoteJidAlt) msg.key.remoteJidAlt = opts.remoteJidAlt;
  if (opts.participantAlt) msg.key.participantAlt = opts.participantAlt;
  msg.key.addressingMode = from.endsWith("@lid") ? "lid" : "pn";
  return msg;
}

const media = { url: "https://mmg.whatsapp.net/v/t62.7119-24/x.enc", mediaKey: Buffer.alloc(32, 7), directPath: "/v/t62.7119-24/x.enc" };

export const m = {
  text: (text: string, opts?: KeyOpts) => wrap({ conversation: text }, opts),
  extended: (text: string, opts?: KeyOpts) => wrap({ extendedTextMessage: { text, contextInfo: { stanzaId: "PREV", participant: USER_JID } } }, opts),
  document: (fileName: string, size: number, opts?: KeyOpts & { mimetype?: string }) =>
    wrap({ documentMessage: { ...media, fileName, mimetype: opts?.mimetype ?? "application/pdf", fileLength: size, title: fileName } }, opts),
  documentWithCaption: (fileName: string, size: number, caption: string, opts?: KeyOpts) =>
    wrap(
      { documentWithCaptionMessage: { message: { documentMessage: { ...media, fileName, mimetype: "application/pdf", fileLength: size, caption } } } },
      opts,
    ),
  image: (size: number, caption?: string, opts?: KeyOpts) => wrap({ imageMessage: { ...media, mimetype: "image/jpeg", fileLength: size, caption } }, opts),
  listReply: (rowId: string, title: string, opts?: KeyOpts) =>
    wrap(
      { listResponseMessage: { title, listType: proto.Message.ListResponseMessage.ListType.SINGLE_SELECT, singleSelectReply: { selectedRowId: rowId } } },
      opts,
    ),
  buttonReply: (buttonId: string, label: string, opts?: KeyOpts) =>
    wrap(
      { buttonsResponseMessage: { selectedButtonId: buttonId, selectedDisplayText: label, type: proto.Message.ButtonsResponseMessage.Type.DISPLAY_TEXT } },
      opts,
    ),
  reaction: (opts?: KeyOpts) => wrap({ reactionMessage: { key: { remoteJid: USER_JID, id: "X", fromMe: true }, text: "👍" } }, opts),
  revoke: (opts?: KeyOpts) => wrap({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: "X" } } }, opts),
  edit: (text: string, opts?: KeyOpts) =>
    wrap({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, key: { id: "X" }, editedMessage: { conversation: text } } }, opts),
  sticker: (opts?: KeyOpts) => wrap({ stickerMessage: { ...media, mimetype: "image/webp" } }, opts),
  location: (opts?: KeyOpts) => wrap({ locationMessage: { degreesLatitude: 0.5071, degreesLongitude: 101.4478 } }, opts),
  ephemeralText: (text: string, opts?: KeyOpts) => wrap({ ephemeralMessage: { message: { extendedTextMessage: { text } } } }, opts),
  senderKeyOnly: (opts?: KeyOpts) => wrap({ senderKeyDistributionMessage: { groupId: GROUP_JID, axolotlSenderKeyDistributionMessage: Buffer.alloc(8) } }, opts),
  stub: (opts?: KeyOpts) => {
    const msg = wrap({}, opts);
    msg.message = null;
    msg.messageStubType = proto.WebMessageInfo.StubType.CIPHERTEXT;
    return msg;
  },
};

// Smallest real files, so the engine's content check (by magic bytes) accepts or refuses them.
export const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);
export const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082",
  "hex",
);
export const EXE = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 0x90)]);
