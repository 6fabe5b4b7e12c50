// Messages for the WhatsApp channel: terminal notes and pairing prompts, Channels page state
// labels and pairing refusals. Chat replies come from the bot catalog, the logout alert from
// the notify catalog. Indonesian first; English must have the same keys.
const id = {
  "whatsapp.note.off": "WhatsApp: nonaktif (atur WHATSAPP_ENABLED=true)",
  "whatsapp.note.on": "WhatsApp: aktif, status dan QR ada di halaman Kanal admin",
  "whatsapp.terminal.qr": "WhatsApp: pindai QR ini dengan ponsel kantor (WhatsApp → Perangkat tertaut → Tautkan perangkat).",
  "whatsapp.terminal.pairingCode": "WhatsApp: kode penautan {code}. Di ponsel kantor: Perangkat tertaut → Tautkan dengan nomor telepon.",
  "whatsapp.terminal.open": "WhatsApp: terhubung.",
  "whatsapp.terminal.loggedOut": "WhatsApp: perangkat dikeluarkan dari akun. Tautkan ulang dengan QR atau kode penautan.",
  "whatsapp.state.off": "Nonaktif",
  "whatsapp.state.connecting": "Menghubungkan",
  "whatsapp.state.qr": "Menunggu pindai QR",
  "whatsapp.state.pairing": "Menunggu kode penautan dimasukkan",
  "whatsapp.state.open": "Terhubung",
  "whatsapp.state.closed": "Terputus, mencoba lagi",
  "whatsapp.state.logged_out": "Keluar dari akun, perlu ditautkan ulang",
  "whatsapp.state.standby": "Siaga (instans lain memegang koneksi)",
  "whatsapp.state.stopped": "Dihentikan, perlu tindakan admin",
  "whatsapp.pairing.invalidPhone": "Nomor telepon tidak valid. Masukkan nomor WhatsApp kantor, contoh: 0812-3456-7890.",
  "whatsapp.pairing.notRunning": "Kanal WhatsApp tidak berjalan. Aktifkan dengan WHATSAPP_ENABLED=true.",
  "whatsapp.pairing.alreadyLinked": "Nomor kantor sudah tertaut. Keluarkan perangkat dulu jika ingin menautkan ulang.",
  "whatsapp.pairing.timeout": "Kode penautan belum diterima dari WhatsApp. Coba lagi sebentar lagi.",
  "whatsapp.pairing.failed": "Kode penautan tidak dapat dibuat. Tunggu sampai halaman ini menampilkan QR, lalu coba lagi.",
  "whatsapp.reply.late": "Mohon maaf, pesan Anda baru terbaca sekarang karena layanan WhatsApp kami sempat terputus. Berikut balasannya.",
} as const;

const en: Record<keyof typeof id, string> = {
  "whatsapp.note.off": "WhatsApp: off (set WHATSAPP_ENABLED=true)",
  "whatsapp.note.on": "WhatsApp: on, status and QR on the admin Channels page",
  "whatsapp.terminal.qr": "WhatsApp: scan this QR with the office phone (WhatsApp → Linked devices → Link a device).",
  "whatsapp.terminal.pairingCode": "WhatsApp: pairing code {code}. On the office phone: Linked devices → Link with phone number.",
  "whatsapp.terminal.open": "WhatsApp: connected.",
  "whatsapp.terminal.loggedOut": "WhatsApp: this device was logged out. Link it again with a QR or a pairing code.",
  "whatsapp.state.off": "Off",
  "whatsapp.state.connecting": "Connecting",
  "whatsapp.state.qr": "Waiting for the QR to be scanned",
  "whatsapp.state.pairing": "Waiting for the pairing code to be entered",
  "whatsapp.state.open": "Connected",
  "whatsapp.state.closed": "Disconnected, retrying",
  "whatsapp.state.logged_out": "Logged out, needs pairing again",
  "whatsapp.state.standby": "Standby (another instance holds the connection)",
  "whatsapp.state.stopped": "Stopped, needs an admin",
  "whatsapp.pairing.invalidPhone": "Invalid phone number. Enter the office WhatsApp number, e.g. 0812-3456-7890.",
  "whatsapp.pairing.notRunning": "The WhatsApp channel is not running. Turn it on with WHATSAPP_ENABLED=true.",
  "whatsapp.pairing.alreadyLinked": "The office number is already linked. Log the device out first to link it again.",
  "whatsapp.pairing.timeout": "No pairing code came back from WhatsApp yet. Please try again in a moment.",
  "whatsapp.pairing.failed": "A pairing code could not be made. Wait until this page shows a QR, then try again.",
  "whatsapp.reply.late": "Sorry, we are only reading your message now because our WhatsApp service was briefly disconnected. Here is our answer.",
};

export const whatsapp = { id, en };
