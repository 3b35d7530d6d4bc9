/**
 * Records as the API answers them (GET /v1/records/{id}, POST /v1/records/search: service/records.ts
 * RecordView; their answers are not typed in /openapi.json), and the birth record's fields in the
 * order a card shows them, with their sensitivity (src/schema/record-type.ts).
 */
export interface Vaccination {
  readonly vaccine: string;
  readonly name?: string;
  readonly dose: number;
  readonly date: string;
  readonly clinic?: string;
}

export type FieldValue = string | readonly Vaccination[];

export interface RecordView {
  readonly id: string;
  readonly recordType: string;
  readonly organizationId: string | null;
  readonly createdAt: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly clear: readonly string[];
  readonly purpose?: string;
  readonly disclosureId?: string;
}

type Sensitivity = 'public' | 'personal' | 'sensitive';

/** The birth record's fields, as src/schema/record-type.ts lists them. */
export const BIRTH_FIELDS: readonly { readonly name: string; readonly sensitivity: Sensitivity }[] = [
  { name: 'babyName', sensitivity: 'personal' },
  { name: 'babySex', sensitivity: 'personal' },
  { name: 'birthTime', sensitivity: 'personal' },
  { name: 'babyResidentId', sensitivity: 'sensitive' },
  { name: 'birthCertificateNo', sensitivity: 'sensitive' },
  { name: 'hospital', sensitivity: 'public' },
  { name: 'ward', sensitivity: 'public' },
  { name: 'bed', sensitivity: 'personal' },
  { name: 'motherName', sensitivity: 'personal' },
  { name: 'motherResidentId', sensitivity: 'sensitive' },
  { name: 'motherPhone', sensitivity: 'personal' },
  { name: 'fatherName', sensitivity: 'personal' },
  { name: 'fatherResidentId', sensitivity: 'sensitive' },
  { name: 'fatherPhone', sensitivity: 'personal' },
  { name: 'address', sensitivity: 'sensitive' },
  { name: 'dischargeTime', sensitivity: 'personal' },
  { name: 'vaccinations', sensitivity: 'sensitive' },
];

export const PURPOSES = [
  'treatment',
  'vaccination',
  'birth_registration',
  'statistics',
  'partner_contact',
  'investigation',
  'data_subject_request',
] as const;
export type Purpose = (typeof PURPOSES)[number];

export const asText = (v: FieldValue | undefined): string => (typeof v === 'string' ? v : '');
export const asVaccinations = (v: FieldValue | undefined): readonly Vaccination[] =>
  Array.isArray(v) ? (v as readonly Vaccination[]) : [];
