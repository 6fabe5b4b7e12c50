// Messages for the notify surface. Indonesian first; English must have the same keys.
const id = {} as const;

const en: Record<keyof typeof id, string> = {};

export const notify = { id, en };
