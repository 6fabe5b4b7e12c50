// Admin alerts from the WhatsApp channel go through core's channel alert service (outbox rows,
// deduplicated per cause); this keeps the channel's historical names.
export { alertLoggedOut as alertAdminsLoggedOut, LOGGED_OUT_KIND, raiseChannelAlert } from "../../../core/channels/alerts.js";
