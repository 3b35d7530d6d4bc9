/** The public surface of the package: what index re-exports is the API; everything else is internal. */
export {
  TracevaultError,
  ERROR_CODES,
  isTracevaultError,
  type ErrorCode,
  type ErrorDetails,
  type RowError,
} from './errors.ts';
export {
  BIRTH,
  VEHICLE,
  RECORD_TYPES,
  validateRecord,
  maskRecord,
  fieldDef,
  type RecordType,
  type FieldDef,
} from './schema/record-type.ts';
export { KINDS, type FieldKind, type FieldValue, type Sensitivity, type Vaccination } from './schema/field-kind.ts';
export { parseResidentId, makeResidentId, checkCharacter } from './schema/resident-id.ts';
export { parseMobile, normaliseMobile, extendMobilePrefixes, isAcceptedMobile } from './schema/mobile.ts';
export { VACCINES, vaccineByName, nextDue, type Vaccine, type VaccineDose } from './schema/vaccines.ts';
export { RULES, ruleText, type RuleText } from './schema/rules.ts';
export { parsePersonName } from './schema/person-name.ts';
export { parseAddress } from './schema/address.ts';
export * from './schema/mask.ts';
export { initVault, openVault, Vault, type Principal, type VaultConfig, type InitOptions } from './store/vault.ts';
export { CIPHER_SUITES, type CipherSuiteName } from './crypto/cipher-suite.ts';
export { rotateKeys } from './store/key-rotation.ts';
export { importFile, type ImportOptions, type ImportReport } from './ingest/import.ts';
export { generateCity, type CityOptions } from './synth/city.ts';
export { loadCity } from './sim/load.ts';
// The ledger's verifiers, for auditors (RFC 9162 proofs, c2sp signed notes and checkpoints).
export { leafHash, nodeHash, rootOf, verifyInclusion, verifyConsistency, EMPTY_ROOT } from './ledger/merkle.ts';
export { openNote, parseVerifierKey, type NoteVerifier } from './ledger/signed-note.ts';
export { openCheckpoint, parseCheckpoint, type Checkpoint } from './ledger/checkpoint.ts';
export { verifyProofDocument } from './ledger/proof-file.ts';
