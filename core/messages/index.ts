// The message catalogs: every user-visible string lives here, once, in Indonesian and English.
import type { Locale } from "../reference/index.js";
import { admin } from "./admin.js";
import { adoption } from "./adoption.js";
import { backoffice } from "./backoffice.js";
import { bot } from "./bot.js";
import { common } from "./common.js";
import { notify } from "./notify.js";
import { programme } from "./programme.js";
import { whatsapp } from "./whatsapp.js";

const catalogs = {
  id: { ...common.id, ...bot.id, ...admin.id, ...notify.id, ...programme.id, ...whatsapp.id, ...adoption.id, ...backoffice.id },
  en: { ...common.en, ...bot.en, ...admin.en, ...notify.en, ...programme.en, ...whatsapp.en, ...adoption.en, ...backoffice.en },
};

export type MessageKey = keyof typeof catalogs.id;
export type Params = Record<string, string | number>;

export const isLocale = (v: unknown): v is Locale => v === "id" || v === "en";
export const hasMessage = (key: string): key is MessageKey => Object.hasOwn(catalogs.id, key);

/** Looks up a message and fills {placeholders}. Unknown placeholders stay visible, never crash. */
export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template: string = (catalogs[locale] as Record<string, string>)[key] ?? catalogs.id[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A translator bound to one locale. */
export const translator = (locale: Locale) => (key: MessageKey, params?: Params) => t(locale, key, params);
