/**
 * DNS answers captured from dnsmasq 2.90 (Debian 12, `dnsmasq-base`), hex.
 *
 * Provenance: dnsmasq ran in a scratch namespace with
 *   --no-resolv --no-hosts --no-daemon --port 53 --listen-address 198.18.0.1
 *   --bind-interfaces --local=/test/ --host-record=a.test,198.18.0.10
 *   --cname=alias.test,a.test --cname=alias2.test,alias.test
 * and a Python script sent one standard query (RD set) per answer over UDP
 * and printed the reply in hex. To regenerate, run test/kernel/Dns.test.ts's
 * dnsmasq command line and send the same queries (any ID: the ID is the first
 * two octets). dnsmasq compresses names, so these carry real pointers.
 */

/** `alias2.test A`: CNAME alias2.test → alias.test, CNAME alias.test → a.test, A a.test 198.18.0.10, TTL 0. */
export const CNAME_CHAIN =
  "ba1c8580000100030000000006616c6961733204746573740000010001c00c0005000100000000000c05616c696173047465737400c029000500010000000000080161047465737400c04100010001000000000004c612000a"

/** `a.test A`: one A record 198.18.0.10, the owner name a pointer to the question. */
export const A_RECORD = "e68085800001000100000000016104746573740000010001c00c00010001000000000004c612000a"

/** `nx.test A`: NXDOMAIN (RCODE 3), no records (dnsmasq adds no SOA for --local names). */
export const NXDOMAIN = "127281830001000000000000026e7804746573740000010001"

/** `a.test AAAA`: NOERROR with no answers (NODATA). */
export const NODATA = "f971818000010000000000000161047465737400001c0001"

export const bytesOf = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"))
