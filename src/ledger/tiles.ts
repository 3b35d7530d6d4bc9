/**
 * The tile layout of c2sp.org/tlog-tiles. A tile at level L, index N holds up to 256 consecutive
 * hashes of Merkle level 8·L: level-0 tiles hold leaf hashes, a level-1 tile the roots of 256-leaf
 * subtrees, and so on. A tile with fewer than 256 hashes is partial and named with its width.
 *
 *   tile/<L>/<N>[.p/<W>]     N in 3-digit path elements, all but the last prefixed with "x"
 *   tile/entries/<N>[.p/<W>] the entries themselves, 256 a bundle
 *
 * Pure: paths, and which tiles a tree size has.
 */
export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;

/** Encodes a tile index: 1234067 → "x001/x234/067". */
export function encodeIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('index');
  let s = String(n);
  while (s.length % 3 !== 0) s = `0${s}`;
  const groups = s.match(/\d{3}/g)!;
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** Parses "x001/x234/067" back to 1234067; undefined if it is not a canonical encoding. */
export function decodeIndex(path: string): number | undefined {
  const parts = path.split('/');
  if (!parts.every((p, i) => (i < parts.length - 1 ? /^x\d{3}$/.test(p) : /^\d{3}$/.test(p)))) return undefined;
  const n = Number(parts.map((p) => p.replace('x', '')).join(''));
  return Number.isSafeInteger(n) && encodeIndex(n) === path ? n : undefined;
}

export function tilePath(level: number, index: number, width = TILE_WIDTH): string {
  return `tile/${level}/${encodeIndex(index)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

export function entriesPath(index: number, width = TILE_WIDTH): string {
  return `tile/entries/${encodeIndex(index)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

export interface TileRef {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** Parses a tile path ("tile/1/x001/234.p/7" or "tile/entries/…"); undefined if malformed. */
export function parseTilePath(path: string): (TileRef & { entries: boolean }) | undefined {
  const m = /^tile\/(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*\d{3})(?:\.p\/([1-9]\d{0,2}))?$/.exec(path);
  if (!m) return undefined;
  const index = decodeIndex(m[2]!);
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (index === undefined || (m[3] !== undefined && width >= TILE_WIDTH)) return undefined;
  return { entries: m[1] === 'entries', level: m[1] === 'entries' ? 0 : Number(m[1]), index, width };
}

/** Every tile of a tree of `size` leaves, level by level: full ones, then the partial one if any. */
export function tilesForSize(size: number): TileRef[] {
  const out: TileRef[] = [];
  for (let level = 0, n = size; n > 0; level++, n = Math.floor(n / TILE_WIDTH)) {
    const full = Math.floor(n / TILE_WIDTH);
    for (let i = 0; i < full; i++) out.push({ level, index: i, width: TILE_WIDTH });
    if (n % TILE_WIDTH > 0) out.push({ level, index: full, width: n % TILE_WIDTH });
    if (full === 0) break;
  }
  return out;
}
