// Messages of the back office for people (issue 13): the inbox and human takeover, the early
// "Selesai" rule, escalation notices, exports. Indonesian first; English has the same keys.
const id = {
  "error.coachingNotStarted": "Pembinaan ini baru dimulai {date}. Status Selesai hanya dapat diberikan setelah pembinaan dimulai.",
  "error.overrideReasonRequired": "Tuliskan alasan menandai Selesai sebelum waktu pembinaan.",
  "admin.completeEarly.title": "Tandai Selesai lebih awal (admin)",
  "admin.completeEarly.intro":
    "Pembinaan ini dijadwalkan {date}. Hanya admin yang dapat menandainya Selesai sebelum waktunya, dengan alasan tertulis yang dicatat di log audit.",
  "admin.completeEarly.reason": "Alasan",
  "admin.completeEarly.submit": "Tandai Selesai",
  "admin.completeEarly.done": "Pengajuan {code} ditandai Selesai lebih awal. Alasan dicatat di log audit.",
  "admin.request.duplicateWarning": "Perhatian: instansi ini sudah punya pengajuan {service} yang masih berjalan dalam 7 hari dari tanggal itu: {codes}.",
  "admin.request.duplicateConfirm": "Tetap simpan pengajuan baru",
  "notify.request.escalated":
    "Pengajuan {code} ({service}) dialihkan ke {office} agar ditangani kantor tersebut. Status pengajuan tidak berubah; Anda akan mendapat kabar berikutnya dari {office}.",
} as const;

const en: Record<keyof typeof id, string> = {
  "error.coachingNotStarted": "This coaching starts on {date}. It can only be marked Done once it has started.",
  "error.overrideReasonRequired": "Please give the reason for marking it Done before the coaching's time.",
  "admin.completeEarly.title": "Mark Done early (admin)",
  "admin.completeEarly.intro":
    "This coaching is scheduled for {date}. Only an admin can mark it Done before then, with a written reason recorded in the audit log.",
  "admin.completeEarly.reason": "Reason",
  "admin.completeEarly.submit": "Mark Done",
  "admin.completeEarly.done": "Request {code} was marked Done early. The reason is in the audit log.",
  "admin.request.duplicateWarning": "Note: this agency already has an open {service} request within 7 days of that date: {codes}.",
  "admin.request.duplicateConfirm": "Save the new request anyway",
  "notify.request.escalated":
    "Request {code} ({service}) was passed on to {office}, which will handle it. Its status is unchanged; you will hear next from {office}.",
};

export const backoffice = { id, en };
