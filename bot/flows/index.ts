// The flow registry. To add a flow, write bot/flows/<name>.ts with defineFlow (see
// bot/engine/flow.ts for the Flow type) and add it to FEATURES below: one line.
// Flows with a `menu` entry appear in the main menu, sorted by their order; flows with
// `claims` can take an unsolicited message (e.g. files) when the person is in the menu.
import type { Flow } from "../engine/flow.js";
import { coachDocumentationFlow } from "./coach-documentation.js";
import { contactFlow } from "./contact.js";
import { humanFlow } from "./human.js";
import { createMenuFlow } from "./menu.js";
import { modulesFlow } from "./modules.js";
import { requestForm } from "./request-form.js";
import { statusFlow } from "./status.js";
import { testimonialFlow } from "./testimonial.js";

export const FEATURES: readonly Flow[] = [
  requestForm,
  statusFlow,
  modulesFlow,
  testimonialFlow,
  contactFlow,
  coachDocumentationFlow,
  humanFlow,
  // more flows here, one line each
];

/** Every flow the engine runs: the main menu first, then the features. */
export const defaultFlows = (features: readonly Flow[] = FEATURES): Flow[] => [createMenuFlow(features), ...features];
