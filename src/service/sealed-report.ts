/** A trace report at rest: sealed under the tenant's trace key, bound to its id (crypto/aead.ts). */
import { aad } from '../crypto/aead.ts';

export const reportAad = (id: string): Buffer => aad('tracevault-trace', id, 1);
