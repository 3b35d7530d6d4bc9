/**
 * The shape of an archive's XML parts, checked as they inflate (zip-check.ts) and before any
 * spreadsheet reader parses them: how deep elements nest, how large one cell or shared string is
 * (`<c>`, `<si>`, `<is>`: ECMA-376 Part 1 §18.3.1.4, §18.4.8, §18.3.1.53, tags and text together,
 * so a rich text of many runs counts whole), how large one tag, comment or processing instruction
 * is, and how long one run of text is anywhere. A document type declaration is refused outright:
 * Open Packaging Conventions forbid one (ECMA-376 Part 2 §8.1.4, M1.17), and it is the door to
 * entity expansion. A byte-level scanner, not a parser: it holds a few counters whatever the input,
 * and leaves well-formedness to the reader. Errors name the rule and the limit, never content.
 */
import { TracevaultError } from '../errors.ts';

export interface XmlLimits {
  /** Deepest element nesting (a worksheet needs about 7, a drawing about 20). */
  readonly maxDepth: number;
  /** Largest cell, shared string or run of text, in bytes of XML (Excel's own cap: 32,767 characters). */
  readonly maxCellBytes: number;
  /** Largest tag (with its attributes), comment or processing instruction, in bytes. */
  readonly maxTagBytes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxDepth: 64, maxCellBytes: 256 * 1024, maxTagBytes: 64 * 1024 };

const LT = 0x3c,
  GT = 0x3e,
  SLASH = 0x2f,
  QUOT = 0x22,
  APOS = 0x27;

/** Elements whose whole content is one cell's value. */
const CELLS = new Set(['c', 'si', 'is']);

type Mode = 'text' | 'head' | 'tag' | 'pi' | 'comment' | 'cdata';

/** Checks one XML part, fed in chunks as it inflates; `end()` when the part has ended. */
export class XmlShapeCheck {
  readonly #limits: XmlLimits;
  #mode: Mode = 'text';
  #depth = 0;
  /** The depth of the cell element we are inside, or -1. */
  #cellDepth = -1;
  #cellBytes = 0;
  #textBytes = 0;
  /** The current tag, comment, instruction or CDATA section: its first bytes, its length, its state. */
  #head = '';
  #tagBytes = 0;
  #quote = 0;
  #name = '';
  #naming = true;
  #last = 0;
  /** The last bytes seen, for the terminators `?>`, `-->` and `]]>`. */
  #tail = '';

  constructor(limits: XmlLimits = DEFAULT_XML_LIMITS) {
    this.#limits = limits;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#mode === 'text') {
        const lt = chunk.indexOf(LT, i);
        const end = lt < 0 ? n : lt;
        this.#text(end - i);
        if (lt < 0) return;
        this.#cell(1);
        this.#mode = 'head';
        this.#head = '';
        this.#tagBytes = 1;
        i = lt + 1;
      } else if (this.#mode === 'tag') {
        i = this.#scanTag(chunk, i);
      } else {
        const b = chunk[i++]!;
        this.#cell(1);
        if (++this.#tagBytes > this.#limits.maxTagBytes && this.#mode !== 'cdata') this.#refuse('tagSize');
        if (this.#mode === 'head') this.#headByte(b);
        else if (this.#mode === 'cdata') {
          if (++this.#textBytes > this.#limits.maxCellBytes) this.#refuse('cellSize', this.#limits.maxCellBytes);
          this.#until(b, ']]>');
        } else this.#until(b, this.#mode === 'pi' ? '?>' : '-->');
      }
    }
  }

  /** The part has ended: it must not end inside a tag. */
  end(): void {
    if (this.#mode !== 'text') throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'xml' });
  }

  #text(bytes: number): void {
    this.#textBytes += bytes;
    if (this.#textBytes > this.#limits.maxCellBytes) this.#refuse('cellSize', this.#limits.maxCellBytes);
    this.#cell(bytes);
  }

  #cell(bytes: number): void {
    if (this.#cellDepth < 0) return;
    this.#cellBytes += bytes;
    if (this.#cellBytes > this.#limits.maxCellBytes) this.#refuse('cellSize', this.#limits.maxCellBytes);
  }

  /** The first bytes after `<` say what follows: `?`, `!--`, `![CDATA[`, another `!`, or an element. */
  #headByte(b: number): void {
    this.#head += String.fromCharCode(b);
    const h = this.#head;
    if (h === '?') return this.#enter('pi');
    if (h[0] !== '!') {
      this.#mode = 'tag';
      this.#quote = 0;
      this.#naming = true;
      this.#last = b;
      // The byte is counted already; it starts the name (`/` of an end tag too).
      this.#name = b === GT ? '' : String.fromCharCode(b);
      if (b === GT) this.#closeTag();
      else if (b <= 0x20) this.#naming = false;
      return;
    }
    if (h === '!--') return this.#enter('comment');
    if (h === '![CDATA[') return this.#enter('cdata');
    if (!'!--'.startsWith(h) && !'![CDATA['.startsWith(h)) this.#refuse('doctype');
  }

  #enter(mode: Mode): void {
    this.#mode = mode;
    this.#tail = '';
  }

  #until(b: number, terminator: string): void {
    this.#tail = (this.#tail + String.fromCharCode(b)).slice(-terminator.length);
    if (this.#tail === terminator) this.#mode = 'text';
  }

  /**
   * A start or end tag, up to its `>` outside quotes (an attribute value may hold a `>` or a `/`):
   * scans from `i`, returns where it stopped (after the `>`, or the chunk's end).
   */
  #scanTag(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    let j = i,
      quote = this.#quote,
      last = this.#last,
      naming = this.#naming,
      name = this.#name;
    for (; j < n; j++) {
      const b = chunk[j]!;
      if (quote !== 0) {
        if (b === quote) quote = 0;
        continue;
      }
      if (b === GT) break;
      if (b === QUOT || b === APOS) {
        quote = b;
        naming = false;
      } else if (naming) {
        if (b <= 0x20 || (b === SLASH && name !== '')) naming = false;
        else if (name.length < 16) name += String.fromCharCode(b);
      }
      if (b > 0x20) last = b;
    }
    this.#quote = quote;
    this.#last = last;
    this.#naming = naming;
    this.#name = name;
    const found = j < n;
    const bytes = j - i + (found ? 1 : 0);
    this.#tagBytes += bytes;
    this.#cell(bytes);
    if (this.#tagBytes > this.#limits.maxTagBytes) this.#refuse('tagSize');
    if (found) this.#closeTag();
    return j + (found ? 1 : 0);
  }

  #closeTag(): void {
    this.#mode = 'text';
    this.#textBytes = 0;
    const name = this.#name;
    if (name.startsWith('/')) {
      if (this.#depth === 0) throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'xml' });
      if (this.#depth === this.#cellDepth) this.#cellDepth = -1;
      this.#depth--;
      return;
    }
    if (this.#last === SLASH) return; // <empty/>
    if (++this.#depth > this.#limits.maxDepth) this.#refuse('xmlDepth', this.#limits.maxDepth);
    const local = name.slice(name.indexOf(':') + 1);
    if (this.#cellDepth < 0 && CELLS.has(local)) {
      this.#cellDepth = this.#depth;
      this.#cellBytes = this.#tagBytes;
    }
  }

  #refuse(rule: string, limit = this.#limits.maxTagBytes): never {
    throw new TracevaultError('ERR_UNSAFE_ARCHIVE', rule === 'doctype' ? { rule } : { rule, limit });
  }
}

/** The parts of an archive that are XML (by name: `.xml`, `.rels`, `.vml`). */
export function isXmlPart(name: string): boolean {
  return /\.(xml|rels|vml)$/i.test(name);
}
