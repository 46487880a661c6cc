// A Node program on the stack: an HTTP server, a TCP echo server and a UDP
// listener, with Node's own APIs from gonet-ts/node. Run as root, after
// `npm run build`:  node examples/hello-http.mjs   then  curl http://198.18.0.2/
// (the TAP gonet1 is created, its kernel side given 198.18.0.1/24). Ctrl-C stops.
import { start } from "gonet-ts/node"

const stack = await start({ tap: "gonet1", address: "198.18.0.2/24", hostAddress: "198.18.0.1/24" })
stack.http.createServer((req, res) => res.end(`hello from gonet-ts, ${req.socket.remoteAddress}\n`)).listen(80)
stack.net.createServer((socket) => socket.pipe(socket)).listen(7)
stack.dgram.createSocket("udp4", (msg, rinfo) => console.log(`udp from ${rinfo.address}:${rinfo.port}: ${msg}`)).bind(5353)
console.log("up: curl http://198.18.0.2/ · echo hi | socat - tcp:198.18.0.2:7 · Ctrl-C to stop")
process.once("SIGINT", () => stack.close().then(() => process.exit(0)))
