// SPDY/3.1 framing: frames to bytes and back, the stateful header compression
// with the protocol dictionary, and bytes kubectl 1.32 really sent.
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CONTROL, FrameReader, HEADER_DICTIONARY, SpdyFramer, SpdyProtocolError, decodeHeaderBlock, encodeHeaderBlock, type RawFrame, type SpdyFrame } from "./spdy";

/** The first SYN_STREAM of `kubectl port-forward` (1.32): the error stream of request 0 for port 80. */
const KUBECTL_SYN_STREAM = "80030001" + "0000003d" + "00000001" + "00000000" + "0000" + "78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45a024cc6461c0c0c0c0590489c44c50e2663400000000ffff";

/** The one whole frame in `hex`. */
function frameOf(hex: string): RawFrame {
  const [raw, ...rest] = new FrameReader().push(Buffer.from(hex, "hex"));
  if (!raw || rest.length) throw new Error(`expected one frame in ${hex}`);
  return raw;
}

/** A client and a server end: what one encodes the other decodes (each direction has its own zlib stream). */
async function roundTrip(frames: SpdyFrame[]): Promise<SpdyFrame[]> {
  const client = new SpdyFramer();
  const server = new SpdyFramer();
  const reader = new FrameReader();
  const bytes = Buffer.concat(await Promise.all(frames.map((f) => client.encode(f))));
  // Fed one byte at a time: frames cut anywhere must come out whole.
  const raws = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
  const decoded: SpdyFrame[] = [];
  for (const raw of raws) decoded.push(await server.decode(raw));
  client.close();
  server.close();
  return decoded;
}

describe("SPDY/3.1 frames", () => {
  it("round-trips every frame kind", async () => {
    const frames: SpdyFrame[] = [
      { kind: "synStream", streamId: 1, associatedTo: 0, priority: 3, flags: 0, headers: { streamtype: ["error"], port: ["8080"], requestid: ["0"] } },
      { kind: "synReply", streamId: 1, flags: 0, headers: {} },
      { kind: "data", streamId: 1, fin: false, data: Buffer.from("GET / HTTP/1.1\r\n\r\n") },
      { kind: "data", streamId: 3, fin: true, data: Buffer.alloc(0) },
      { kind: "headers", streamId: 3, flags: 1, headers: { "x-two": ["a", "b"] } },
      { kind: "rstStream", streamId: 5, status: 5 },
      { kind: "settings", flags: 0, entries: [{ id: 7, flags: 1, value: 65536 }, { id: 4, flags: 0, value: 100 }] },
      { kind: "ping", id: 1 },
      { kind: "goAway", lastGoodStreamId: 7, status: 0 },
      { kind: "windowUpdate", streamId: 1, delta: 1024 },
    ];
    expect(await roundTrip(frames)).toEqual(frames);
  });

  it("lays out the 8-byte headers as the spec says", async () => {
    const framer = new SpdyFramer();
    expect((await framer.encode({ kind: "ping", id: 3 })).toString("hex")).toBe("800300060000000400000003");
    expect((await framer.encode({ kind: "data", streamId: 5, fin: true, data: Buffer.from("hi") })).toString("hex")).toBe("00000005010000026869");
    expect((await framer.encode({ kind: "rstStream", streamId: 1, status: 5 })).toString("hex")).toBe("80030003000000080000000100000005");
    framer.close();
  });

  it("keeps unknown control frames and rejects what it cannot read", async () => {
    const framer = new SpdyFramer();
    expect(await framer.decode(frameOf("8003000a0000000400000000"))).toEqual({ kind: "unknown", type: 10 });
    await expect(framer.decode(frameOf("800200060000000400000001"))).rejects.toThrow(/unsupported SPDY version 2/);
    await expect(framer.decode(frameOf("80030006000000020001"))).rejects.toBeInstanceOf(SpdyProtocolError);
    await expect(framer.decode(frameOf("0000000000000000"))).rejects.toThrow(/stream id zero/);
    framer.close();
  });
});

describe("header blocks", () => {
  it("encodes counts, lengths and NUL-joined values, names in lower case", () => {
    const block = encodeHeaderBlock({ StreamType: ["data"], v: ["a", "b"] });
    expect(block.toString("hex")).toBe("00000002" + "0000000a" + Buffer.from("streamtype").toString("hex") + "00000004" + Buffer.from("data").toString("hex") + "00000001" + "76" + "00000003" + "610062");
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: ["data"], v: ["a", "b"] });
    expect(() => decodeHeaderBlock(block.subarray(0, 12))).toThrow(SpdyProtocolError);
  });

  it("compresses with the SPDY/3 dictionary in one stream per direction", async () => {
    expect(HEADER_DICTIONARY.length).toBe(1423);
    const framer = new SpdyFramer();
    const headers = { "content-type": ["text/html"], "content-length": ["615"], server: ["nginx"] };
    const first = await framer.encode({ kind: "synReply", streamId: 1, flags: 0, headers });
    const second = await framer.encode({ kind: "synReply", streamId: 3, flags: 0, headers });
    // zlib header with FDICT, then the dictionary's Adler-32: the id Go's spdy framer (kubectl) also writes.
    expect(first.subarray(12, 18).toString("hex")).toBe("78f9e3c6a7c2");
    expect(Buffer.from(KUBECTL_SYN_STREAM, "hex").subarray(18, 24).toString("hex")).toBe("78f9e3c6a7c2");
    // The dictionary already holds these names, and the second block can refer back to the first.
    const plain = deflateSync(encodeHeaderBlock(headers));
    expect(first.length - 12).toBeLessThan(plain.length);
    expect(second.length).toBeLessThan(first.length - 6);
    framer.close();
  });

  it("decodes the first SYN_STREAM kubectl sends", async () => {
    const framer = new SpdyFramer();
    const raw = frameOf(KUBECTL_SYN_STREAM);
    expect(raw.type).toBe(CONTROL.synStream);
    expect(await framer.decode(raw)).toEqual({ kind: "synStream", streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ["error"], port: ["80"], requestid: ["0"] } });
    framer.close();
  });
});
