// Messages for the bot surface. Indonesian first; English must have the same keys.
const id = {} as const;

const en: Record<keyof typeof id, string> = {};

export const bot = { id, en };
