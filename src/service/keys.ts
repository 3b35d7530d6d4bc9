/**
 * Keys the use cases derive from the tenant's index key (crypto/keyring.ts keyedId), each under its
 * own label, made once per process: the fingerprint code's bias key, each principal's reveal
 * codeword key, the canaries' keys, the trace reports' key, and sealed justifications. Each is
 * used with the vault's cipher suite (`keys.suite`, crypto/cipher-suite.ts).
 */
import { aad } from '../crypto/aead.ts';
import type { TenantKeys } from '../crypto/keyring.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import { DISCLOSURE_KEY_LABEL, REVEAL_KEY_LABEL } from '../disclose/marks.ts';
import { DEFAULT_CUTOFF, TardosCode } from '../disclose/tardos.ts';
import type { CanaryKeys } from '../disclose/canary.ts';

const JUSTIFICATION_AAD = aad('tracevault-justification', 1);
const MAX_REVEAL_KEYS = 10_000;
const MAX_JUSTIFICATIONS = 1000;

export class ServiceKeys {
  readonly #keys: TenantKeys;
  #code: TardosCode | undefined;
  #canary: CanaryKeys | undefined;
  #trace: Buffer | undefined;
  #justificationKeyBytes: Buffer | undefined;
  readonly #revealKeys = new Map<string, Buffer>();
  /** Sealed justifications by principal and text: a ward round repeats one text over many reads. */
  readonly #justifications = new Map<string, Buffer>();

  constructor(keys: TenantKeys) {
    this.#keys = keys;
  }

  /** The vault's cipher suite: what the keys here seal and MAC with. */
  get suite(): CipherSuite {
    return this.#keys.suite;
  }

  /** The tenant's fingerprint code (its bias key derived from the index key). */
  get code(): TardosCode {
    return (this.#code ??= new TardosCode(
      this.#keys.keyedId('fingerprint-bias', 'v1'),
      DEFAULT_CUTOFF,
      this.#keys.suite.macHash,
    ));
  }

  get canary(): CanaryKeys {
    return (this.#canary ??= {
      refKey: (vkey) => this.#keys.keyedId('canary-ref', vkey),
      sealKey: this.#keys.keyedId('canary-seal', 'v1'),
      suite: this.#keys.suite,
    });
  }

  get trace(): Buffer {
    return (this.#trace ??= this.#keys.keyedId('trace-report-key', 'v1'));
  }

  /** The key of a principal's reveal codeword (disclose/marks.ts PRINCIPAL_SCHEME). */
  reveal(principalId: string): Buffer {
    let k = this.#revealKeys.get(principalId);
    if (!k) {
      if (this.#revealKeys.size >= MAX_REVEAL_KEYS) this.#revealKeys.clear();
      this.#revealKeys.set(principalId, (k = this.#keys.keyedId(REVEAL_KEY_LABEL, principalId)));
    }
    return k;
  }

  /** An export disclosure's own key, for the marks and canaries of its file. The caller zeroes it after use. */
  exportMarks(disclosureId: string): Buffer {
    return this.#keys.keyedId(DISCLOSURE_KEY_LABEL, disclosureId);
  }

  /**
   * A justification sealed under a key derived from the tenant's index key (it is not a record
   * value). One principal's repeated text is sealed once and its ciphertext reused (a new seal costs
   * more than the rest of the disclosure's row): the database then shows which of that principal's
   * disclosures share a justification, never what it says.
   */
  sealJustification(principalId: string, text: string): Buffer {
    const kept = text.slice(0, 2000);
    const key = `${principalId}\0${kept}`;
    let sealed = this.#justifications.get(key);
    if (!sealed) {
      sealed = this.#keys.suite.seal(this.#justificationKey(), Buffer.from(kept, 'utf8'), JUSTIFICATION_AAD);
      if (this.#justifications.size >= MAX_JUSTIFICATIONS) this.#justifications.clear();
      this.#justifications.set(key, sealed);
    }
    return sealed;
  }

  /** A sealed justification's text, for those who decide on what it justifies (an export's approver). */
  openJustification(sealed: Uint8Array): string {
    return this.#keys.suite.open(this.#justificationKey(), sealed, JUSTIFICATION_AAD).toString('utf8');
  }

  #justificationKey(): Buffer {
    return (this.#justificationKeyBytes ??= this.#keys.keyedId('justification-key', 'v1'));
  }
}
