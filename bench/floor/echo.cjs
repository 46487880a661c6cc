// Plain-JS ARP + ICMP echo responder over the addon: a latency baseline without Effect.
const t = require(require("node:path").join(__dirname, "../../build/Release/gonet_tap.node"))
const h = t.open(process.argv[2], {})
const MAC = Buffer.from([2,0,0,0,0,2]); const IP = Buffer.from([198,18,0,2])
function csum(b, s, e) { let a = 0; for (let i = s; i < e; i += 2) a += (b[i] << 8) | (i + 1 < e ? b[i+1] : 0); while (a > 0xffff) a = (a & 0xffff) + (a >>> 16); return ~a & 0xffff }
t.startReading(h, (frames) => {
  for (const f of frames) {
    const type = (f[12] << 8) | f[13]
    if (type === 0x0806 && f[21] === 1 && Buffer.compare(Buffer.from(f.subarray(38, 42)), IP) === 0) {
      const r = Buffer.alloc(42); f.subarray(6, 12).forEach((v, i) => { r[i] = v; r[32 + i] = v }); MAC.copy(r, 6); r[12] = 8; r[13] = 6
      r.set([0,1,8,0,6,4,0,2], 14); MAC.copy(r, 22); IP.copy(r, 28); r.set(f.subarray(28, 32), 38); t.writeBatch(h, [r])
    } else if (type === 0x0800 && f[23] === 1 && f[34] === 8) {
      const r = Buffer.from(f); r.set(f.subarray(6, 12), 0); MAC.copy(r, 6); r.set(f.subarray(26, 30), 30); r.set(f.subarray(30, 34), 26)
      r[34] = 0; r[36] = 0; r[37] = 0; const c = csum(r, 34, 14 + ((f[16] << 8) | f[17])); r[36] = c >> 8; r[37] = c & 0xff; t.writeBatch(h, [r])
    }
  }
})
setTimeout(() => { t.close(h) }, +process.argv[3] * 1000)
