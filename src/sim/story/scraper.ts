/**
 * The demo's scraper (seed 001: "150,000 pieces of personal information about babies born last
 * year", sold by the piece). It holds a clinician's stolen API token and walks the hospital's
 * records in order, asking each for the parents' names and phones in clear "for treatment", with a
 * made-up justification. The guard sees a sequential run (its `scan` rule) and more records a minute
 * than anyone reads by hand (`velocity`), blocks the token and opens alerts for the DPO; every later
 * request is refused. What it read before the block is what its buyers know.
 */
import type { StoryApi } from './http.ts';

/** What the scraper asks of each record. */
export const SCRAPED_FIELDS = ['babyName', 'birthTime', 'hospital', 'ward', 'motherName', 'motherPhone'] as const;

export interface Scraped {
  /** The records it read in clear before the guard stopped it. */
  readonly read: readonly string[];
  /** Whether the guard blocked it (it always should). */
  readonly blocked: boolean;
}

export async function scrape(api: StoryApi, stolenToken: string, recordIds: readonly string[]): Promise<Scraped> {
  const read: string[] = [];
  const query = `purpose=treatment&reveal=${SCRAPED_FIELDS.join(',')}&justification=${encodeURIComponent('患者随访')}`;
  for (const id of recordIds) {
    const r = await api.call<{ code?: string }>('GET', `/v1/records/${id}?${query}`, {
      token: stolenToken,
      expect: [200, 403],
    });
    if (r.status === 403) {
      if (r.json.code === 'ERR_GUARD_BLOCKED') return { read, blocked: true };
      continue;
    }
    read.push(id);
  }
  return { read, blocked: false };
}
