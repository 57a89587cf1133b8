// Kubernetes resource Quantities ("100m", "1.5", "128Mi", "1e3", "2G") as
// numbers: cpu in millicores, everything else in base units (bytes, count).
// Binary suffixes are powers of 1024, decimal ones powers of 1000.

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The value of a Quantity in base units; undefined when it is not one. */
export function parseQuantity(text: string | number | undefined | null): number | undefined {
  if (typeof text === "number") return text;
  if (text === undefined || text === null) return undefined;
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  if (match[2]) return value * 10 ** Number(match[2].slice(1));
  return value * (SUFFIX[match[3] ?? ""] ?? 1);
}

/** CPU in millicores, rounded up as upstream's MilliValue does. */
export function cpuMillis(text: string | number | undefined | null): number {
  const value = parseQuantity(text);
  return value === undefined ? 0 : Math.ceil(Math.round(value * 1e9) / 1e6);
}

/** Memory (or any non-cpu resource) in whole base units, rounded up. */
export function quantityValue(text: string | number | undefined | null): number {
  const value = parseQuantity(text);
  return value === undefined ? 0 : Math.ceil(value - 1e-9);
}

/** Millicores as upstream prints them: "250m", or "2" for whole cores. */
export function formatMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}
