// Links into the panel that notices and chat replies carry (kept apart from render.ts, which
// imports the flows for the main menu, so flows can use these without an import cycle).
export interface Links {
  base: string;
  request(id: string): string;
  documentation(id: string): string;
  channels(): string;
}

/** Panel links from PUBLIC_URL, or http://HOST:PORT when it is not set. */
export function panelLinks(config: { PUBLIC_URL?: string | undefined; HOST: string; PORT: number }): Links {
  const base = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, "");
  return {
    base,
    request: (id) => `${base}/requests/${id}`,
    documentation: (id) => `${base}/coachings/${id}/documentation`,
    channels: () => `${base}/channels`,
  };
}
