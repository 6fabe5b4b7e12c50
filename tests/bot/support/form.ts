// Filling the request form with realistic Indonesian answers, on any driver (engine or Telegram).
import { formatDate } from "../../../core/validation/datetime.js";

export interface Driver {
  say(text: string): Promise<unknown>;
  press(label: string | RegExp): Promise<unknown>;
  text(): string;
}

/** "dd/mm/yyyy" this many days from now, in WIB. */
export const inDays = (days: number) => formatDate(new Date(Date.now() + days * 24 * 3600_000), "WIB");

export interface FormAnswers {
  name?: string;
  nip?: string | null;
  phone?: string;
  email?: string;
  agency?: string;
  /** Button label of the agency to pick, or null to keep the typed name. */
  pick?: string | null;
  level?: string;
  service?: string;
  topics?: string;
  start?: string;
  end?: string;
}

// Default start dates are spread out so forms of one test file never look like duplicates.
let spread = 0;
const nextStart = () => `${inDays(100 + ((spread++ * 16) % 560))} 09:00`;

/** From the main menu to the summary, every answer right the first time. */
export async function fillForm(d: Driver, a: FormAnswers = {}): Promise<void> {
  await d.say("menu");
  await d.press("Ajukan pembinaan");
  await d.press("Setuju");
  // A returning PIC is offered their previous details; this helper answers every question.
  if (/Gunakan data sebelumnya/.test(d.text())) await d.press("Tidak");
  await d.say(a.name ?? "Siti Rahmawati");
  if (a.nip === null || a.nip === undefined) await d.press("Lewati");
  else await d.say(a.nip);
  await d.say(a.phone ?? "0812-3456-7890");
  await d.say(a.email ?? "siti.rahmawati@pekanbaru.go.id");
  await d.say(a.agency ?? "Bappeda Pekanbaru");
  if (a.pick === null) {
    await d.press("Pakai");
    await d.press(a.level ?? "Kabupaten/Kota");
  } else if (/Pilih instansi/.test(d.text())) {
    await d.press(a.pick ?? "Bappeda Kota Pekanbaru");
  }
  await d.press("Ya");
  await d.say(a.service ?? "FGD");
  await d.say(a.topics ?? "3, 5");
  await d.say("Pendampingan penyusunan metadata statistik sektoral untuk 25 pegawai Bappeda.");
  await d.say("Ruang rapat Bappeda Kota Pekanbaru");
  await d.press("Luring");
  await d.say(a.start ?? nextStart());
  await d.say(a.end ?? "3 jam");
  await d.press("Sama dengan saya");
  await d.press("Lewati");
}
