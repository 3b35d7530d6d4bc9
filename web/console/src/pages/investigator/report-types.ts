/** The trace report as GET /v1/traces/{id} answers it once done (src/trace/report.ts, read leniently). */
export interface ReportPerson {
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly organizationName: string | null;
  readonly wards?: readonly string[];
  readonly districts?: readonly string[];
  readonly disabled?: boolean;
}
export interface ReportDisclosure {
  readonly principalId: string;
  readonly channel: string;
  readonly purpose: string;
  readonly at: string;
  readonly exportId?: string | null;
}
export interface Candidate {
  readonly principalId: string;
  readonly disclosureId: string | null;
  readonly consistentRows: number;
  readonly log10LR: number;
  readonly log10Fingerprint: number;
  readonly canaries: number;
  readonly log10Best: number;
}
export interface TraceReport {
  readonly id: string;
  readonly createdAt: string;
  readonly epsilon: number;
  readonly complaints?: boolean;
  readonly accused: { principalId: string; disclosureId: string | null; log10LR: number } | null;
  readonly confidenceSets: Readonly<Record<string, readonly string[]>>;
  readonly candidates: readonly Candidate[];
  readonly mixture?: readonly { principalId: string; disclosureId: string | null; rows: number; accused: boolean }[];
  readonly window: {
    from: string | null;
    to: string | null;
    disclosedAt?: string | null;
    consistentRows?: number;
    rows?: number;
  };
  readonly affected: { direct: readonly string[]; viaSource: readonly string[]; total: number };
  readonly rows: { total: number; linked: number; unlinked: number; canaries: number };
  readonly assumptions?: readonly string[];
  readonly missingEvidence?: readonly string[];
  readonly notices: { regulator: string; families: string };
  readonly people?: Readonly<Record<string, ReportPerson>>;
  readonly disclosures?: Readonly<Record<string, ReportDisclosure>>;
}
