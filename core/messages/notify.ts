// Messages for the notify surface: every notice people get without asking. Indonesian first;
// English must have the same keys. Plain text (no markup), so they read the same on
// Telegram, WhatsApp, the web simulator and email.
const id = {
  "notify.request.received":
    "Pengajuan pembinaan Anda sudah kami terima dengan kode {code}.\n{summary}\n\nSupervisor {office} akan meninjaunya. Anda akan mendapat kabar di sini setiap ada perubahan status. Ketik kode {code} kapan saja untuk melihat statusnya.",
  "notify.request.in_review":
    "Pengajuan {code} ({service}, {date}) sekarang Dalam Proses. Supervisor {office} sedang membahasnya dan menentukan pembina. Kami kabari lagi setelah ada keputusan.",
  "notify.request.approved":
    "Kabar baik! Pengajuan {code} ({service}, {date}) DISETUJUI.\n\nPembina: {coaches}.\nPembina akan menghubungi PIC kegiatan, {picName} ({picPhone}), untuk koordinasi persiapan.",
  "notify.request.rejected":
    "Mohon maaf, pengajuan {code} ({service}, {date}) tidak dapat kami setujui.\nAlasan: {reason}\n\nAnda dapat mengajukan kembali kapan saja.",
  "notify.request.done":
    "Pembinaan {code} ({service}) telah Selesai. Terima kasih atas kerja samanya!\n\nKami sangat menghargai pendapat Anda: ketik menu lalu pilih \u201c{menuItem}\u201d untuk memberi nilai 1–5 dan kesan singkat.",
  "notify.request.cancelled": "Pengajuan {code} ({service}, {date}) telah dibatalkan.",
  "notify.request.update": "Ada pembaruan untuk pengajuan {code}: status sekarang {status}.",
  "notify.supervisor.submitted": "Pengajuan baru {code}\n{agency}\n{service}, {date}\nLokasi: {location}\n\nTinjau di panel: {link}",
  "notify.supervisor.escalated": "Pengajuan {code} dieskalasi ke {office}.\n{agency}\n{service}, {date}\n\nTinjau di panel: {link}",
  "notify.supervisor.cancelled": "Pengajuan {code} ({agency}, {service}, {date}) dibatalkan oleh pengaju.\n\n{link}",
  "notify.supervisor.answer": 'Jawaban klarifikasi untuk pengajuan {code} ({agency}):\n"{answer}"\n\nLihat di panel: {link}',
  "notify.coach.assigned":
    "Penunjukan Narasumber Pembinaan\n\nYth. Bapak/Ibu {coachName},\n\nAnda ditugaskan menjadi Narasumber dalam kegiatan pembinaan statistik sektoral dengan detail:\n\nKode pengajuan: {code}\nJenis layanan pembinaan: {service}\nInstansi: {agency}\nLokasi pembinaan: {location} ({mode})\nTanggal: {date} Pukul: {time}\nPIC Kegiatan: {picName} ({picContact})\n\nTerima kasih,\nSupervisor Sibina {office}",
  "notify.reminder.session.coach":
    "Pengingat: besok Anda menjadi narasumber pembinaan {code}.\n{service} – {agency}\nLokasi: {location} ({mode})\nTanggal: {date} Pukul: {time}\nPIC: {picName} ({picContact})",
  "notify.reminder.session.pic":
    "Pengingat: pembinaan {code} ({service}) dijadwalkan besok, {date} pukul {time}, di {location}.\nPembina: {coaches}.\nSampai jumpa!",
  "notify.reminder.documentation.1":
    "Pembinaan {code} ({agency}, {date}) sudah Selesai. Mohon unggah dokumentasinya: {missing}.\n\nUnggah di panel: {link}\nAtau kirim file langsung di chat ini, lalu pilih jenis dokumentasinya.",
  "notify.reminder.documentation.2":
    "Pengingat kedua: dokumentasi pembinaan {code} ({agency}, {date}) masih belum lengkap: {missing}.\n\nUnggah di panel: {link}\nAtau kirim file langsung di chat ini.",
  "notify.clarification.question":
    'Pertanyaan dari Supervisor {office} tentang pengajuan {code}:\n"{question}"\n\nBalas pesan ini untuk menjawab. Jawaban Anda akan diteruskan ke supervisor.',
  "notify.admin.channel_logged_out": "Saluran {channel} terputus (logged out) dan perlu ditautkan ulang. Buka halaman Channels: {link}",
  "notify.admin.whatsapp.restricted":
    "WhatsApp menolak pesan dari nomor kantor (kode {code}): akun sedang dibatasi atau penerima belum pernah menghubungi kantor. Pesan yang ditolak tidak dihitung terkirim dan dialihkan ke email bila ada. Jangan mengirim ulang secara manual; itu memperberat pembatasan. Lihat halaman Channels: {link}",
  "notify.admin.whatsapp.time_lock":
    "WhatsApp membatasi nomor kantor untuk memulai chat baru sampai {until}. Antrean notifikasi WhatsApp dijeda sampai saat itu; balasan ke orang yang menghubungi kantor tetap berjalan. Lihat halaman Channels: {link}",
  "notify.admin.whatsapp.replaced":
    "Sesi WhatsApp kantor diambil alih oleh koneksi lain dengan kredensial yang sama ({count} kali). Bot berhenti menyambung ulang agar keduanya tidak saling memutus. Pastikan hanya satu server (bukan salinan staging atau cadangan) memakai nomor ini, lalu mulai ulang layanan. Lihat halaman Channels: {link}",
  "notify.admin.whatsapp.banned":
    "WhatsApp menolak nomor kantor (kode {code}): nomor diblokir atau tidak diizinkan. Bot berhenti mencoba agar tidak memperburuk keadaan. Periksa aplikasi WhatsApp di ponsel kantor. Lihat halaman Channels: {link}",
  "notify.admin.whatsapp.version":
    "WhatsApp menolak versi WhatsApp Web yang dipakai bot (kode 405) dan versi terbaru tidak dapat diambil. Perbarui Sibina. Lihat halaman Channels: {link}",
  "notify.admin.whatsapp.down": "Kanal WhatsApp terputus sejak {since} (lebih dari {minutes} menit) dan belum tersambung lagi. Lihat halaman Channels: {link}",
  "notify.generic": "Ada pembaruan untuk pengajuan {code}. Lihat detailnya: {link}",
  "notify.title.security": "Peringatan keamanan akun Sibina",
  "notify.account.owner.password":
    "Ada {failures} percobaan masuk yang gagal ke akun Sibina Anda ({email}) dari {clients} alamat dalam satu jam terakhir. Akun tidak dikunci, dan perangkat yang terus gagal harus menunggu makin lama.\n\nJika itu bukan Anda, pastikan kata sandi Anda kuat dan aktifkan verifikasi dua langkah: {link}",
  "notify.account.owner.totp":
    "Kata sandi akun Sibina Anda ({email}) dimasukkan dengan benar, tetapi kode verifikasi dua langkah salah {failures} kali dari {clients} alamat dalam satu jam terakhir.\n\nJika itu bukan Anda, kata sandi Anda kemungkinan bocor: ganti sekarang di {link}",
  "notify.account.admin.password":
    "Akun {name} ({email}) menjadi sasaran percobaan masuk: {failures} kegagalan dari {clients} alamat dalam satu jam terakhir. Akun tidak dikunci; alamat yang terus gagal diperlambat.\n\nLog audit: {link}",
  "notify.account.admin.totp":
    "Kata sandi akun {name} ({email}) dipakai dengan benar, tetapi kode verifikasi dua langkah salah {failures} kali dari {clients} alamat dalam satu jam terakhir. Kata sandinya kemungkinan bocor.\n\nLog audit: {link}",
  "notify.none": "-",
  "notify.email.subject": "[Sibina] {title}",
  "notify.email.footer": "Pesan ini dikirim otomatis oleh Sibina, layanan pembinaan statistik sektoral BPS.",
  "notify.title.request": "Pengajuan {code}",
  "notify.title.coach.assigned": "Penunjukan Narasumber Pembinaan {code}",
  "notify.title.reminder": "Pengingat pembinaan {code}",
  "notify.title.idle": "Formulir Anda menunggu",
  "notify.title.admin": "Pemberitahuan sistem",
  "notify.summary": "{service} – {agency}\n{date} pukul {time}, {location}",
  "notify.phone.wa": "{phone}, wa.me/{digits}",
  "notify.doc.askRequest": "File diterima. Dokumentasi ini untuk pembinaan yang mana?",
  "notify.doc.askKind": "Jenis dokumentasi apa untuk {count} file ini? (Anda masih bisa mengirim file lain dulu.)",
  "notify.doc.more": "{count} file diterima.",
  "notify.doc.requestLabel": "{code} – {agency} ({date})",
  "notify.doc.saved": "Tersimpan: {count} file sebagai {kind} untuk pembinaan {code}.",
  "notify.doc.complete": "Dokumentasi wajib sudah lengkap. Terima kasih!",
  "notify.doc.stillMissing": "Masih kurang: {missing}. Kirim file berikutnya kapan saja.",
  "notify.doc.noRequests": "Belum ada pembinaan berstatus Selesai yang Anda tangani, jadi file ini tidak disimpan sebagai dokumentasi.",
  "notify.doc.failed": "Maaf, dokumentasi gagal disimpan. Coba lagi sebentar lagi atau unggah lewat panel: {link}",
} as const;

const en: Record<keyof typeof id, string> = {
  "notify.request.received":
    "We have received your coaching request, code {code}.\n{summary}\n\nA supervisor at {office} will review it. You will hear from us here whenever its status changes. Type {code} at any time to see its status.",
  "notify.request.in_review":
    "Request {code} ({service}, {date}) is now In process. The supervisors at {office} are discussing it and choosing coaches. We will let you know once it is decided.",
  "notify.request.approved":
    "Good news! Request {code} ({service}, {date}) is APPROVED.\n\nCoaches: {coaches}.\nThe coaches will contact the activity PIC, {picName} ({picPhone}), to prepare.",
  "notify.request.rejected":
    "We are sorry, request {code} ({service}, {date}) could not be approved.\nReason: {reason}\n\nYou are welcome to submit a new request at any time.",
  "notify.request.done":
    "The coaching for {code} ({service}) is Done. Thank you for working with us!\n\nWe value your opinion: type menu and choose \u201c{menuItem}\u201d to give a rating from 1 to 5 and a short comment.",
  "notify.request.cancelled": "Request {code} ({service}, {date}) has been cancelled.",
  "notify.request.update": "There is an update on request {code}: its status is now {status}.",
  "notify.supervisor.submitted": "New request {code}\n{agency}\n{service}, {date}\nLocation: {location}\n\nReview it in the panel: {link}",
  "notify.supervisor.escalated": "Request {code} was escalated to {office}.\n{agency}\n{service}, {date}\n\nReview it in the panel: {link}",
  "notify.supervisor.cancelled": "Request {code} ({agency}, {service}, {date}) was cancelled by the requester.\n\n{link}",
  "notify.supervisor.answer": 'Clarification answer for request {code} ({agency}):\n"{answer}"\n\nSee it in the panel: {link}',
  "notify.coach.assigned":
    "Coaching Speaker Assignment\n\nDear {coachName},\n\nYou are assigned as speaker for a sectoral statistics coaching:\n\nRequest code: {code}\nService type: {service}\nAgency: {agency}\nLocation: {location} ({mode})\nDate: {date} Time: {time}\nActivity PIC: {picName} ({picContact})\n\nThank you,\nSibina Supervisor, {office}",
  "notify.reminder.session.coach":
    "Reminder: tomorrow you are the speaker for coaching {code}.\n{service} – {agency}\nLocation: {location} ({mode})\nDate: {date} Time: {time}\nPIC: {picName} ({picContact})",
  "notify.reminder.session.pic":
    "Reminder: coaching {code} ({service}) is scheduled for tomorrow, {date} at {time}, at {location}.\nCoaches: {coaches}.\nSee you there!",
  "notify.reminder.documentation.1":
    "Coaching {code} ({agency}, {date}) is Done. Please upload its documentation: {missing}.\n\nUpload in the panel: {link}\nOr send the files right here in this chat, then choose their kind.",
  "notify.reminder.documentation.2":
    "Second reminder: the documentation of coaching {code} ({agency}, {date}) is still incomplete: {missing}.\n\nUpload in the panel: {link}\nOr send the files right here in this chat.",
  "notify.clarification.question":
    'A question from the supervisor at {office} about request {code}:\n"{question}"\n\nReply to this message to answer. Your answer goes to the supervisor.',
  "notify.admin.channel_logged_out": "The {channel} channel was logged out and needs to be linked again. Open the Channels page: {link}",
  "notify.admin.whatsapp.restricted":
    "WhatsApp refused a message from the office number (code {code}): the account is restricted, or the recipient has never contacted the office. A refused message is not counted as sent and goes by email where possible. Do not resend by hand; that makes the restriction worse. See the Channels page: {link}",
  "notify.admin.whatsapp.time_lock":
    "WhatsApp does not let the office number start new chats until {until}. The WhatsApp notification queue is paused until then; replies to people who write to the office still go out. See the Channels page: {link}",
  "notify.admin.whatsapp.replaced":
    "The office WhatsApp session was taken over by another connection with the same credentials ({count} times). The bot stopped reconnecting so the two do not keep kicking each other off. Make sure only one server (not a staging copy or a backup) uses this number, then restart the service. See the Channels page: {link}",
  "notify.admin.whatsapp.banned":
    "WhatsApp refused the office number (code {code}): it is banned or not allowed. The bot stopped retrying so as not to make it worse. Check the WhatsApp app on the office phone. See the Channels page: {link}",
  "notify.admin.whatsapp.version":
    "WhatsApp refused the WhatsApp Web version the bot uses (code 405) and the current version could not be fetched. Update Sibina. See the Channels page: {link}",
  "notify.admin.whatsapp.down":
    "The WhatsApp channel has been down since {since} (more than {minutes} minutes) and has not reconnected. See the Channels page: {link}",
  "notify.generic": "There is an update on request {code}. See the details: {link}",
  "notify.title.security": "Sibina account security alert",
  "notify.account.owner.password":
    "There were {failures} failed sign-in attempts on your Sibina account ({email}) from {clients} addresses in the last hour. The account is not locked, and a device that keeps failing waits longer and longer.\n\nIf this was not you, make sure your password is strong and turn on two-step verification: {link}",
  "notify.account.owner.totp":
    "Your Sibina account's password ({email}) was entered correctly, but the two-step verification code was wrong {failures} times from {clients} addresses in the last hour.\n\nIf this was not you, your password has probably leaked: change it now at {link}",
  "notify.account.admin.password":
    "The account of {name} ({email}) is the target of sign-in attempts: {failures} failures from {clients} addresses in the last hour. The account is not locked; addresses that keep failing are slowed down.\n\nAudit log: {link}",
  "notify.account.admin.totp":
    "The password of {name}'s account ({email}) was used correctly, but the two-step verification code was wrong {failures} times from {clients} addresses in the last hour. The password has probably leaked.\n\nAudit log: {link}",
  "notify.none": "-",
  "notify.email.subject": "[Sibina] {title}",
  "notify.email.footer": "This message was sent automatically by Sibina, the BPS sectoral statistics coaching service.",
  "notify.title.request": "Request {code}",
  "notify.title.coach.assigned": "Coaching speaker assignment {code}",
  "notify.title.reminder": "Coaching reminder {code}",
  "notify.title.idle": "Your form is waiting",
  "notify.title.admin": "System notice",
  "notify.summary": "{service} – {agency}\n{date} at {time}, {location}",
  "notify.phone.wa": "{phone}, wa.me/{digits}",
  "notify.doc.askRequest": "File received. Which coaching is this documentation for?",
  "notify.doc.askKind": "What kind of documentation are these {count} file(s)? (You can still send more files first.)",
  "notify.doc.more": "{count} files received.",
  "notify.doc.requestLabel": "{code} – {agency} ({date})",
  "notify.doc.saved": "Saved: {count} file(s) as {kind} for coaching {code}.",
  "notify.doc.complete": "The required documentation is complete. Thank you!",
  "notify.doc.stillMissing": "Still missing: {missing}. Send the next file at any time.",
  "notify.doc.noRequests": "You have no Done coaching assigned to you, so this file was not saved as documentation.",
  "notify.doc.failed": "Sorry, the documentation could not be saved. Please try again shortly or upload it in the panel: {link}",
};

export const notify = { id, en };
