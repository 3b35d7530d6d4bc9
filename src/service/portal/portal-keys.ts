/**
 * The portal's keys, each derived from the tenant's index key under a label of its own
 * (crypto/keyring.ts keyedId, the vault suite's HMAC): what is stored of a phone, an invitation code or a
 * one-time code is a keyed HMAC, so a copy of the database alone cannot confirm a guessed phone
 * number nor try the million one-time codes offline; what must be read back (a guardian's number, a
 * call's code and note) is sealed with the vault's cipher suite, its row's id bound in as associated data.
 */
import { aad } from '../../crypto/aead.ts';
import type { TenantKeys } from '../../crypto/keyring.ts';

const PHONE_AAD = 'tracevault-guardian-phone';
const CALL_AAD = 'tracevault-call';

export class PortalKeys {
  readonly #keys: TenantKeys;
  #phoneKey: Buffer | undefined;
  #callKey: Buffer | undefined;

  constructor(keys: TenantKeys) {
    this.#keys = keys;
  }

  /** The keyed reference of a normalised phone number (guardians and one-time codes are found by it). */
  phoneRef(digits: string): Buffer {
    return this.#keys.keyedId('portal-phone-ref', digits);
  }

  /** What is stored of an invitation code (normalised: codes.ts). */
  invitationHash(code: string): Buffer {
    return this.#keys.keyedId('portal-invitation', code);
  }

  /** What is stored of a one-time code: bound to its phone, so a row copied to another phone is worthless. */
  otpHash(phoneRef: Buffer, otp: string): Buffer {
    return this.#keys.keyedId('portal-otp', `${phoneRef.toString('hex')}:${otp}`);
  }

  sealPhone(guardianId: string, digits: string): Buffer {
    return this.#keys.suite.seal(this.#phone(), Buffer.from(digits, 'utf8'), aad(PHONE_AAD, guardianId));
  }

  /** A guardian's number, for a message to it (breach notices, notices.ts). */
  openPhone(guardianId: string, sealed: Buffer): string {
    return this.#keys.suite.open(this.#phone(), sealed, aad(PHONE_AAD, guardianId)).toString('utf8');
  }

  sealCall(callId: string, content: CallSecret): Buffer {
    return this.#keys.suite.sealJson(this.#call(), content, aad(CALL_AAD, callId));
  }

  openCall(callId: string, sealed: Buffer): CallSecret {
    return this.#keys.suite.openJson<CallSecret>(this.#call(), sealed, aad(CALL_AAD, callId));
  }

  #phone(): Buffer {
    return (this.#phoneKey ??= this.#keys.keyedId('portal-phone-seal', 'v1'));
  }

  #call(): Buffer {
    return (this.#callKey ??= this.#keys.keyedId('portal-call-seal', 'v1'));
  }
}

/** What a registered call keeps sealed: the code said on the phone, the purpose as written, the number. */
export interface CallSecret {
  readonly code: string;
  readonly purpose: string;
  readonly fromNumber?: string;
}
