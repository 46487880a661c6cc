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

/**
 * Answers for the record types node:dns's resolveMx, resolveTxt, resolveSrv, resolvePtr,
 * resolveNaptr, resolveCaa, resolveNs and resolveSoa ask for, captured the same way from dnsmasq
 * 2.90 with --local-ttl=60 and
 *   --mx-host=mx.test,mail1.test,10 --mx-host=mx.test,mail2.test,5
 *   --txt-record=txt.test,"v=spf1 -all","second part" --txt-record=txt.test,other
 *   --srv-host=_http._tcp.srv.test,a.test,80,1,2 --srv-host=_http._tcp.srv.test,b.test,8080,0,5
 *   --ptr-record=12.0.18.198.in-addr.arpa,one.test --ptr-record=12.0.18.198.in-addr.arpa,two.test
 *   --naptr-record=naptr.test,100,10,U,E2U+sip,'!^.*$!sip:info@example.test!'
 *   --caa-record=caa.test,0,issue,ca.test
 * and, for NS and SOA, dnsmasq's authoritative mode on a second address (198.18.0.5):
 *   --auth-server=ns.test,198.18.0.5 --auth-zone=zone.test
 *   --auth-soa=2024010101,hostmaster.zone.test,1200,180,1209600
 * (query ID 0x4242). Outside the authoritative answers, owner names are pointers to the question
 * (in the SOA answer, so is its authority NS record's); dnsmasq writes the names inside RDATA in
 * full, so the hostile tests build compressed RDATA names by hand.
 */
export const MX = "424285800001000200000000026d78047465737400000f0001c00c000f00010000003c000e0005056d61696c32047465737400c00c000f00010000003c000e000a056d61696c31047465737400"
export const TXT = "4242858000010002000000000374787404746573740000100001c00c001000010000003c0006056f74686572c00c001000010000003c00180b763d73706631202d616c6c0b7365636f6e642070617274"
export const SRV = "424285800001000200000001055f68747470045f7463700373727604746573740000210001c00c002100010000003c000e000000051f900162047465737400c00c002100010000003c000e0001000200500161047465737400c051000100010000003c0004c612000a"
export const PTR = "42428580000100020000000002313201300231380331393807696e2d61646472046172706100000c0001c00c000c00010000003c000a0374776f047465737400c00c000c00010000003c000a036f6e65047465737400"
export const NAPTR = "424285800001000100000000056e6170747204746573740000230001c00c002300010000003c002c0064000a0155074532552b7369701c215e2e2a24217369703a696e666f406578616d706c652e746573742100"
export const CAA = "4242858000010001000000000363616104746573740001010001c00c010100010000003c000e0005697373756563612e74657374"
export const NS = "424285000001000100000000047a6f6e6504746573740000020001047a6f6e6504746573740000020001000002580009026e73047465737400"
export const SOA = "424285000001000100010000047a6f6e6504746573740000060001047a6f6e6504746573740000060001000002580033026e730474657374000a686f73746d6173746572047a6f6e6504746573740078a3f175000004b0000000b40012750000000258c01b00020001000002580009026e73047465737400"

export const bytesOf = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"))
