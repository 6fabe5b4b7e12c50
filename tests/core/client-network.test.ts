// Rate limits and sign-in throttles count an IPv6 client by its /64, an IPv4 client by its address.
import { describe, expect, it } from "vitest";
import { clientNetwork } from "../../core/auth/client-network.js";

describe("clientNetwork", () => {
  it("keeps IPv4 addresses, and unwraps IPv4-mapped IPv6", () => {
    expect(clientNetwork("203.0.113.7")).toBe("203.0.113.7");
    expect(clientNetwork("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientNetwork("::FFFF:10.0.0.1")).toBe("10.0.0.1");
  });

  it("counts every address of one IPv6 /64 as one client, and different /64s apart", () => {
    const a = clientNetwork("2001:db8:aa:1::1");
    expect(a).toBe("2001:db8:aa:1::/64");
    expect(clientNetwork("2001:0db8:00aa:0001:ffff:ffff:ffff:fffe")).toBe(a);
    expect(clientNetwork("2001:db8:aa:1:1234::%eth0")).toBe(a);
    expect(clientNetwork("2001:db8:aa:2::1")).not.toBe(a);
    expect(clientNetwork("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientNetwork("::1")).toBe("0:0:0:0::/64");
    expect(clientNetwork("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
    expect(clientNetwork("fe80:1:2:3:4:5:6:7")).toBe("fe80:1:2:3::/64");
  });

  it("leaves anything that is not an IP address as it is", () => {
    expect(clientNetwork("unknown")).toBe("unknown");
    expect(clientNetwork("")).toBe("");
  });
});
