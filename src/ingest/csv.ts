/**
 * A streaming CSV parser (RFC 4180: fields optionally quoted with '"', a quote inside a quoted
 * field doubled, CRLF or LF line ends, line breaks allowed inside quotes), with a configurable
 * delimiter. Pure: text chunks in, records out. Empty lines are skipped. Errors carry the line
 * number and a rule, never the text.
 */
import { TracevaultError } from '../errors.ts';

const QUOTE = 34,
  CR = 13,
  LF = 10;

export interface CsvRecord {
  readonly fields: string[];
  /** The line the record starts on (1-based). */
  readonly line: number;
}

export class CsvParser {
  readonly #delim: number;
  readonly #maxRecordChars: number;
  #buf = '';
  #line = 1;

  constructor(delimiter = ',', maxRecordChars = 64 * 1024) {
    if (delimiter.length !== 1 || delimiter === '"') throw new RangeError('delimiter');
    this.#delim = delimiter.charCodeAt(0);
    this.#maxRecordChars = maxRecordChars;
  }

  /** Adds text; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    this.#buf += chunk;
    const out: CsvRecord[] = [];
    const consumed = this.#parse(out, false);
    this.#buf = this.#buf.slice(consumed);
    if (this.#buf.length > this.#maxRecordChars)
      throw new TracevaultError('ERR_MALFORMED_FILE', { line: this.#line, rule: 'recordTooLong' });
    return out;
  }

  /** Ends the input; returns the last record. An open quote here is a truncated file. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.#parse(out, true);
    this.#buf = '';
    return out;
  }

  /** Parses complete records from the buffer; returns how many characters were consumed. */
  #parse(out: CsvRecord[], final: boolean): number {
    const s = this.#buf,
      n = s.length,
      d = this.#delim;
    let pos = 0;
    while (pos < n) {
      const start = pos,
        startLine = this.#line;
      let lines = 0;
      const fields: string[] = [];
      let i = pos,
        complete = false;
      for (;;) {
        // One field starting at i.
        if (i < n && s.charCodeAt(i) === QUOTE) {
          let j = i + 1,
            val = '';
          for (;;) {
            const q = s.indexOf('"', j);
            if (q < 0) {
              if (final) throw new TracevaultError('ERR_MALFORMED_FILE', { line: startLine, rule: 'unclosedQuote' });
              return start;
            }
            val += s.slice(j, q);
            if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
              val += '"';
              j = q + 2;
              continue;
            }
            if (q + 1 >= n && !final) return start;
            i = q + 1;
            break;
          }
          for (let k = 0; k < val.length; k++) if (val.charCodeAt(k) === LF) lines++;
          fields.push(val);
          const c = i < n ? s.charCodeAt(i) : -1;
          if (c === d) {
            i++;
            continue;
          }
          if (c === CR && i + 1 < n && s.charCodeAt(i + 1) === LF) {
            i += 2;
            complete = true;
            break;
          }
          if (c === CR && i + 1 >= n && !final) return start;
          if (c === LF || c === CR) {
            i++;
            complete = true;
            break;
          }
          if (c === -1) {
            complete = final;
            break;
          }
          throw new TracevaultError('ERR_MALFORMED_FILE', { line: startLine + lines, rule: 'textAfterQuote' });
        }
        // Unquoted: up to the next delimiter or line end.
        let j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === d || c === LF || c === CR) break;
          if (c === QUOTE)
            throw new TracevaultError('ERR_MALFORMED_FILE', { line: startLine + lines, rule: 'quoteInField' });
          j++;
        }
        if (j >= n && !final) return start;
        fields.push(s.slice(i, j));
        if (j >= n) {
          i = j;
          complete = true;
          break;
        }
        const c = s.charCodeAt(j);
        if (c === d) {
          i = j + 1;
          if (i >= n && final) {
            fields.push('');
            complete = true;
            break;
          }
          continue;
        }
        if (c === CR && j + 1 < n && s.charCodeAt(j + 1) === LF) {
          i = j + 2;
          complete = true;
          break;
        }
        if (c === CR && j + 1 >= n && !final) return start;
        i = j + 1;
        complete = true;
        break;
      }
      if (!complete) return start;
      this.#line = startLine + lines + 1;
      pos = i;
      if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: startLine });
    }
    return pos;
  }
}
