// One TCP connection to a simulated HTTP server: requests split or pipelined,
// bodies skipped, keep-alive as HTTP/1.x says, non-HTTP bytes hang up.
import { describe, expect, it } from "vitest";
import { HttpConnection, type HttpAnswer, type HttpRequestHead } from "./http-connection";

function harness(answer: (req: HttpRequestHead) => HttpAnswer | "close" = (req) => ({ status: 200, statusText: "OK", headers: { Server: "test", "Content-Length": String(req.target.length) }, body: req.target })) {
  const seen: HttpRequestHead[] = [];
  const out = { text: "", closed: false };
  const connection = new HttpConnection(
    (req) => {
      seen.push(req);
      return answer(req);
    },
    { write: (bytes) => void (out.text += bytes.toString("utf8")), close: () => void (out.closed = true) },
  );
  return { connection, seen, out };
}

describe("HttpConnection", () => {
  it("answers pipelined requests in order and keeps an HTTP/1.1 connection open", () => {
    const { connection, seen, out } = harness();
    connection.receive(Buffer.from("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /bc HTTP/1.1\r\nHost: x\r\n\r\n"));
    expect(seen.map((r) => r.target)).toEqual(["/a", "/bc"]);
    expect(seen[0]?.headers).toEqual({ host: "x" });
    expect(out.text).toBe("HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 2\r\n\r\n/aHTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 3\r\n\r\n/bc");
    expect(out.closed).toBe(false);
  });

  it("waits for a request split anywhere, and skips its body (length or chunked)", () => {
    const { connection, seen, out } = harness();
    const bytes = "POST /one HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloPUT /two HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\nGET /three HTTP/1.1\r\n\r\n";
    for (const ch of bytes) connection.receive(Buffer.from(ch));
    expect(seen.map((r) => `${r.method} ${r.target}`)).toEqual(["POST /one", "PUT /two", "GET /three"]);
    expect(out.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
  });

  it("closes after the answer when the client asks, or for HTTP/1.0 without keep-alive", () => {
    const asked = harness();
    asked.connection.receive(Buffer.from("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
    expect(asked.out.text).toContain("\r\nConnection: close\r\n\r\n/");
    expect(asked.out.closed).toBe(true);

    const old = harness();
    old.connection.receive(Buffer.from("GET / HTTP/1.0\r\n\r\n"));
    expect(old.out.text).toContain("Connection: close");
    expect(old.out.closed).toBe(true);

    const oldKeepAlive = harness();
    oldKeepAlive.connection.receive(Buffer.from("HEAD /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    expect(oldKeepAlive.out.text).toBe("HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n");
    expect(oldKeepAlive.out.closed).toBe(false);
  });

  it("closes when the server says so, or hangs up without an answer", () => {
    const closing = harness(() => ({ status: 404, statusText: "Not Found", headers: { Connection: "close", "Content-Length": "0" }, body: "" }));
    closing.connection.receive(Buffer.from("GET / HTTP/1.1\r\n\r\nGET /never HTTP/1.1\r\n\r\n"));
    expect(closing.seen).toHaveLength(1);
    expect(closing.out.text).toBe("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    expect(closing.out.closed).toBe(true);

    const silent = harness(() => "close");
    silent.connection.receive(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    expect(silent.out).toEqual({ text: "", closed: true });
  });

  it("hangs up on bytes that are not HTTP", () => {
    for (const garbage of ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", "PING\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"]) {
      const { connection, seen, out } = harness();
      connection.receive(Buffer.from(garbage, "latin1"));
      expect(seen).toEqual([]);
      expect(out).toEqual({ text: "", closed: true });
    }
    const huge = harness();
    huge.connection.receive(Buffer.from(`GET / HTTP/1.1\r\nX: ${"a".repeat(70_000)}`));
    expect(huge.out.closed).toBe(true);
  });

  it("stops when the client closes its side", () => {
    const { connection, seen, out } = harness();
    connection.receive(Buffer.from("GET /a HTTP/1.1\r\n"));
    connection.end();
    connection.receive(Buffer.from("\r\n"));
    expect(seen).toEqual([]);
    expect(out.closed).toBe(true);
  });
});
