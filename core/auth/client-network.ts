// Who a client is, for rate limits and sign-in throttles: its IPv4 address, or its IPv6 /64.
// One IPv6 subscriber (a home, a phone, a cloud VM) is normally given a whole /64, so counting
// per full IPv6 address would let one client rotate through 2^64 addresses and never be slowed.
// Audit rows keep the full address; only the counting is by network.
import { isIP } from "node:net";

/** The hextets of an IPv6 address (zone id dropped, an embedded IPv4 tail as two hextets). */
function hextets(address: string): string[] {
  const plain = address.split("%")[0]!;
  const toGroups = (part: string) =>
    part
      .split(":")
      .filter((g) => g !== "")
      .flatMap((g) => {
        if (!g.includes(".")) return [g];
        const [a = 0, b = 0, c = 0, d = 0] = g.split(".").map(Number);
        return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
      });
  const [head = "", tail] = plain.split("::");
  const left = toGroups(head);
  if (tail === undefined) return left;
  const right = toGroups(tail);
  return [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
}

/** The key a client is counted under: "203.0.113.7", or "2001:db8:0:1::/64". */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mapped) return mapped;
  if (isIP(address.split("%")[0]!) !== 6) return address;
  const prefix = hextets(address)
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16));
  return `${prefix.join(":")}::/64`;
}
