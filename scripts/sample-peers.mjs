// The two peers of the shipped sample capture (examples/sample.pcap), run by
// record-sample.sh in two network namespaces. Each client scenario exercises one way a TCP
// connection can start or end, using the kernel's own TCP stack.
//
//   node sample-peers.mjs server   # listens on 10.99.0.2 / fd00:99::2
//   node sample-peers.mjs client   # runs the scenarios in order, then exits

import net from "node:net";

const SERVER_V4 = "10.99.0.2";
const SERVER_V6 = "fd00:99::2";
const SILENT_HOST = "10.99.0.3"; // routed to the server namespace, which drops it: no answer
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function serve(port, host, onConnection) {
  net.createServer({ allowHalfOpen: true }, (s) => {
    s.on("error", () => {}); // resets are part of the show
    onConnection(s);
  }).listen(port, host);
}

function server() {
  const response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  // 80: answer, the client closes first.
  for (const host of [SERVER_V4, SERVER_V6]) {
    serve(80, host, (s) => { s.once("data", () => s.write(response)); s.on("end", () => s.end()); });
  }
  // 8080: answer, then the server closes first.
  serve(8080, SERVER_V4, (s) => { s.once("data", () => s.end(response)); s.on("end", () => {}); });
  // 9000: the server aborts with RST after the request.
  serve(9000, SERVER_V4, (s) => { s.once("data", () => s.resetAndDestroy()); });
  // 7000: the client half-closes; the server keeps sending for a while, then closes.
  serve(7000, SERVER_V4, (s) => {
    s.resume(); // read (and drop) the request so that its end is seen
    s.on("end", async () => {
      for (let i = 0; i < 3; i++) { s.write(`part ${i}\n`); await sleep(50); }
      s.end();
    });
  });
  setTimeout(() => process.exit(0), 20000);
}

function connect(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, allowHalfOpen: true });
    const done = (how) => { clearTimeout(t); resolve([s, how]); };
    const t = setTimeout(() => { s.destroy(); done("timeout"); }, timeoutMs);
    s.once("connect", () => done("connected"));
    s.once("error", (e) => done(e.code));
  });
}

const received = (s) => new Promise((r) => s.once("data", r));
const ended = (s) => new Promise((r) => { s.once("end", r); s.resume(); });
const closed = (s) => new Promise((r) => s.once("close", r));

async function client() {
  const request = "GET / HTTP/1.1\r\nHost: sample\r\n\r\n";
  // Complete handshake, request/response, the client closes (four-packet FIN close).
  for (const host of [SERVER_V4, SERVER_V6]) {
    const [s] = await connect(host, 80);
    s.write(request);
    await received(s);
    s.end();
    await closed(s);
    await sleep(100);
  }
  // The server closes first.
  {
    const [s] = await connect(SERVER_V4, 8080);
    s.write(request);
    await ended(s);
    s.end();
    await closed(s);
  }
  // Refused: nothing listens on 81, the kernel answers the SYN with RST.
  await connect(SERVER_V4, 81);
  // The server resets the connection after the request.
  {
    const [s] = await connect(SERVER_V4, 9000);
    s.on("error", () => {});
    s.write(request);
    await closed(s);
  }
  // The client aborts an established connection with RST.
  {
    const [s] = await connect(SERVER_V4, 80);
    s.write(request);
    await received(s);
    s.resetAndDestroy();
  }
  // Half-close: the client stops sending, the server goes on, then both are done.
  {
    const [s] = await connect(SERVER_V4, 7000);
    s.end("bye\n");
    s.on("data", () => {});
    await closed(s);
  }
  // Nobody answers: the SYN is retransmitted (after 1 s, then 2 s more) until we give up.
  await connect(SILENT_HOST, 80, 3500);
  // Left open: an established connection still open when the capture stops.
  const [open, how] = await connect(SERVER_V4, 80);
  if (how !== "connected") throw new Error(`last connection: ${how}`);
  open.write(request);
  await received(open);
  // Tell record-sample.sh to stop the capture while this connection is still open.
  console.log("scenarios done");
  await sleep(10000);
  process.exit(0);
}

if (process.argv[2] === "server") server();
else await client().catch((e) => { console.error(e); process.exit(1); });
