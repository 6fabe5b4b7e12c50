// Errors the WhatsApp channel gives its callers (the delivery worker reads them by name).
export class WhatsAppNotConnectedError extends Error {
  constructor() {
    super("WhatsApp is not connected on this instance");
    this.name = "WhatsAppNotConnectedError";
  }
}
