// Which BPS office handles a request (seed 002): district/city agencies go to their
// district/city office, provincial agencies to the provincial office, central ministries
// and agencies to BPS RI. A supervisor can escalate to the parent office.
import type { AgencyLevel, OfficeLevel } from "../db/generated/enums.js";

export interface OfficeNode {
  id: string;
  level: OfficeLevel;
  parentId: string | null;
  /** An inactive office takes no new requests: they go to the nearest active office above. */
  active?: boolean;
}

export function ancestorsOf(officeId: string, offices: readonly OfficeNode[]): OfficeNode[] {
  const byId = new Map(offices.map((o) => [o.id, o]));
  const chain: OfficeNode[] = [];
  let current = byId.get(officeId);
  while (current?.parentId) {
    const parent = byId.get(current.parentId);
    if (!parent || chain.includes(parent)) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

/** The office itself and everything above it (coaches may come from any of these). */
export const selfAndAncestorIds = (officeId: string, offices: readonly OfficeNode[]) => [officeId, ...ancestorsOf(officeId, offices).map((o) => o.id)];

/** The office itself and every office below it (what a supervisor there may see). */
export function selfAndDescendantIds(officeId: string, offices: readonly OfficeNode[]): string[] {
  const out = [officeId];
  for (let i = 0; i < out.length; i++) for (const o of offices) if (o.parentId === out[i] && !out.includes(o.id)) out.push(o.id);
  return out;
}

/**
 * Routes a request. `agencyOfficeId` is the office covering the agency's region, when known;
 * `defaultOfficeId` is this deployment's own office (for agencies typed as free text).
 */
export function routeRequest(agency: { level: AgencyLevel; agencyOfficeId?: string | null }, offices: readonly OfficeNode[], defaultOfficeId: string): string {
  const id = routeByLevel(agency, offices, defaultOfficeId);
  const target = offices.find((o) => o.id === id);
  if (target?.active !== false) return id;
  return ancestorsOf(id, offices).find((o) => o.active !== false)?.id ?? id;
}

function routeByLevel(agency: { level: AgencyLevel; agencyOfficeId?: string | null }, offices: readonly OfficeNode[], defaultOfficeId: string): string {
  const national = offices.find((o) => o.level === "NATIONAL");
  const home = offices.find((o) => o.id === (agency.agencyOfficeId ?? defaultOfficeId)) ?? offices.find((o) => o.id === defaultOfficeId);
  if (!home) throw new Error("routeRequest: default office not found");
  const chain = [home, ...ancestorsOf(home.id, offices)];
  switch (agency.level) {
    case "CENTRAL":
      return (national ?? chain[chain.length - 1]!).id;
    case "PROVINCE":
      return (chain.find((o) => o.level === "PROVINCE") ?? home).id;
    case "REGENCY":
      return (chain.find((o) => o.level === "REGENCY") ?? home).id;
    default:
      return home.id;
  }
}
