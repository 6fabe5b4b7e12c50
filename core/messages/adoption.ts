// Messages for adopting Sibina in a real office: first-run setup, offices, imports, reachability,
// the in-panel notifications and the working-day calendar. Indonesian first; English has the same keys.
const id = {
  "setup.title": "Penyiapan awal Sibina",
  "setup.intro": "Basis data masih kosong. Pilih kantor BPS yang menjalankan Sibina ini, lalu buat akun admin pertama.",
  "setup.office": "Kantor BPS",
  "setup.office.hint": "Ketik kode atau nama, mis. 9100 atau Papua. Kantor di atasnya (BPS RI, provinsi) ikut dibuat untuk eskalasi.",
  "setup.adminName": "Nama admin",
  "setup.email": "Email admin",
  "setup.password": "Kata sandi admin",
  "setup.submit": "Siapkan Sibina",
  "setup.done": "Penyiapan selesai: {office} ({zone}). Silakan masuk dengan akun admin.",
  "setup.badToken": "Tautan penyiapan tidak berlaku. Gunakan tautan yang dicetak di konsol saat Sibina dijalankan.",
  "setup.error.unknownOffice": "Kode kantor tidak ada dalam daftar kantor BPS.",
  "setup.error.done": "Sibina sudah disiapkan. Silakan masuk.",
  "setup.note": "Basis data kosong. Buka halaman penyiapan sekali pakai ini: {url}",
};

const en: Record<keyof typeof id, string> = {
  "setup.title": "Setting up Sibina",
  "setup.intro": "The database is empty. Choose the BPS office that runs this Sibina, then create the first admin account.",
  "setup.office": "BPS office",
  "setup.office.hint": "Type a code or name, e.g. 9100 or Papua. The offices above it (BPS RI, the province) are created too, for escalation.",
  "setup.adminName": "Admin name",
  "setup.email": "Admin email",
  "setup.password": "Admin password",
  "setup.submit": "Set up Sibina",
  "setup.done": "Setup complete: {office} ({zone}). Please sign in with the admin account.",
  "setup.badToken": "This setup link is not valid. Use the link printed to the console when Sibina started.",
  "setup.error.unknownOffice": "That office code is not in the list of BPS offices.",
  "setup.error.done": "Sibina is already set up. Please sign in.",
  "setup.note": "The database is empty. Open this one-time setup page: {url}",
};

export const adoption = { id, en };
