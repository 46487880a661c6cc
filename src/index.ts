/**
 * gonet-ts: a user-space TCP/IP stack on Effect. Public modules.
 * @since 0.1.0
 */
export * as Config from "./Config.js"
export * as Dns from "./dns/Dns.js"
export * as DnsMessage from "./dns/DnsMessage.js"
export * as Icmp from "./icmp/Icmp.js"
export * as Interface from "./iface/Interface.js"
export * as Ipv4 from "./ipv4/Ipv4.js"
export * as Ipv4Addr from "./wire/Ipv4Addr.js"
export * as Link from "./link/Link.js"
export * as LinkFault from "./link/LinkFault.js"
export * as LinkMemory from "./link/LinkMemory.js"
export * as LinkPcap from "./link/LinkPcap.js"
export * as LinkTap from "./link/LinkTap.js"
export * as Mac from "./wire/Mac.js"
export * as Scheduling from "./Scheduling.js"
export * as Stack from "./Stack.js"
export * as StackHttpServer from "./platform/StackHttpServer.js"
export * as StackSocket from "./platform/StackSocket.js"
export * as Tcp from "./tcp/Tcp.js"
export * as TcpServices from "./tcp/Services.js"
export * as Udp from "./udp/Udp.js"
