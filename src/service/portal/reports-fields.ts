/**
 * What a caller knew, as a guardian ticks it in the portal's report form: the registry's own field
 * names (schema/record-type.ts, `birth`), a closed list, so a report says which fields leaked without
 * ever holding their values, and a trace compares exactly those fields of the child's record.
 */
export const REPORT_FIELDS = [
  'babyName',
  'babySex',
  'birthTime',
  'hospital',
  'ward',
  'bed',
  'dischargeTime',
  'motherName',
  'fatherName',
  'motherPhone',
  'fatherPhone',
  'address',
  'vaccinations',
  'babyResidentId',
  'motherResidentId',
  'fatherResidentId',
  'birthCertificateNo',
] as const;

export type ReportField = (typeof REPORT_FIELDS)[number];

/**
 * The fields a trace can compare: vaccinations are a list no leaked row is matched on (trace/leak-row.ts
 * has no kind for them), so a report that they were known is kept and shown to investigators but adds
 * no column to the complaint set.
 */
export const COMPARED_FIELDS: ReadonlySet<string> = new Set(REPORT_FIELDS.filter((f) => f !== 'vaccinations'));
