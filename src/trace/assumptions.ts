/**
 * What a trace report states besides its findings: the assumptions its numbers rest on, and the
 * evidence it looked for and did not find.
 */
import { DEFAULT_MARGIN, DEFAULT_THRESHOLD } from './linkage.ts';

/** The models and thresholds behind a report's likelihood ratios, confidence sets and links. */
export function assumptions(): string[] {
  return [
    '"Obtained elsewhere": rows drawn from the registry uniformly within hospital and month recorded, ' +
      "in the leak's own proportions.",
    'Uniform model: a leaker took rows uniformly from everything the source received in clear (prior 1/2) ' +
      'or from one of its export files (1/2, shared among them); ' +
      'a fraction η of rows (integrated over 0–75%) came from elsewhere.',
    "Fingerprint marks that contradict a disclosure's codeword (100 : 1 against the row coming from its copy) " +
      'make the row inconsistent with that disclosure; ' +
      "they are read only on fields where another source's marks are shown intact.",
    'Any-subset model: the leaker chose which of its records to leak (a record repeated in the leak counts once); ' +
      'used for every rival, so no source is cleared on the size of its access alone.',
    'Confidence sets: a source is left out only when a proper likelihood ratio ' +
      '(another source\'s uniform model, or "elsewhere") beats its better model by |E|/ε, ' +
      'so the true source is left out with probability at most ε.',
    'Canaries count 10^12 each (a canary exists only in the file minted for its disclosure); ' +
      "fingerprint evidence is the bound on an innocent disclosure's score.",
    `Rows link to a record at ${DEFAULT_THRESHOLD} bits of Fellegi–Sunter weight ` +
      `and ${DEFAULT_MARGIN} bits above the runner-up.`,
  ];
}

/** What a trace could not find, in words: marks, canaries, sources, rows it could not link. */
export function missingEvidence(found: {
  readonly fingerprints: number;
  readonly canaries: number;
  readonly sources: number;
  readonly rows: number;
  readonly canaryRows: number;
  readonly linked: number;
}): string[] {
  const missing: string[] = [];
  if (found.fingerprints === 0)
    missing.push(
      'no fingerprint marks could be read (the leak may be normalised, or its source was not a marked export)',
    );
  if (found.canaries === 0) missing.push('no canary found in the leak');
  if (found.sources === 0) missing.push('no recorded disclosure gave the linked records');
  if (found.linked < found.rows - found.canaryRows)
    missing.push(
      `${found.rows - found.canaryRows - found.linked} rows could not be linked to a record ` +
        `(fabricated, another registry, or too damaged)`,
    );
  return missing;
}
