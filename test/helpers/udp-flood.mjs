// A UDP flood of new flows for the live tests: argv server, port, milliseconds. Each
// datagram leaves from one of 512 sockets (so from many source ports: many flows), as
// fast as the sockets take them. Prints the number of datagrams sent.
import { createSocket } from 'node:dgram';

const [server, port, ms] = process.argv.slice(2);
const sockets = [];
for (let i = 0; i < 512; i++) {
  const s = createSocket('udp4');
  s.on('error', () => {});
  sockets.push(s);
}
const payload = Buffer.alloc(64, 0x55);
const end = Date.now() + Number(ms);
let sent = 0;
let inFlight = 0;
await new Promise((resolve) => {
  const pump = () => {
    while (inFlight < 256 && Date.now() < end) {
      inFlight++;
      sockets[sent++ % sockets.length].send(payload, Number(port), server, () => {
        inFlight--;
        if (inFlight < 128) setImmediate(pump);
      });
    }
    if (Date.now() >= end && inFlight === 0) resolve();
    else if (Date.now() >= end) setTimeout(pump, 10);
  };
  pump();
});
for (const s of sockets) s.close();
console.log(sent);
