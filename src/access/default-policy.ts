/**
 * The policy a new vault starts with, in Cedar (https://docs.cedarpolicy.com). The data-protection
 * officer can replace it (PUT /v1/policies); every version is kept and every change is a ledger
 * entry. What the policy sees (see policy.ts):
 *
 *   principal  Principal   { roles: Set<String>, orgKind: String }
 *   action     read | reveal | view | collect | update | erase | export | approve | aggregate
 *              | administer | manage_policy | view_alerts | hash_identifier | investigate
 *              | trace | consent | audit | invite | due_list | record_dose
 *   resource   Record { recordType }  for read, collect, update, erase, export, consent, invite,
 *                                     due_list (a child on a clinic's due list), record_dose
 *              Field  { name, recordType, kind, sensitivity }  for view (masked) and reveal (clear)
 *              Api    { area }  for the rest
 *   context    { purpose: String ("" when none), sameOrg, inCare, inDistrict, consented: Bool }
 *
 * inCare: the principal's ward or patient. inDistrict: the child's home address is in a district the
 * principal serves; whatever this text says, it is seen only by read and view, and by reveal for the
 * vaccination purpose (policy.ts), so a district never opens a change to another organisation's record
 * — except `record_dose`, a dose given written to the vaccinations field alone (ADR 0022).
 *
 * Masked is the default: a field a principal may read is shown masked ("view") unless a reveal for
 * a stated purpose is permitted; a field that is not even viewable is hidden. Statistics offices
 * and data centres get aggregates, never rows.
 */
export const DEFAULT_POLICY = `
// --- Records: who may read (masked) ------------------------------------------------------------
permit (principal, action == Action::"read", resource is Record)
when { context.sameOrg && principal.roles.containsAny(["clinician", "records_clerk", "vaccination_nurse"]) };
permit (principal, action == Action::"read", resource is Record)
when { context.inCare };
permit (principal, action == Action::"read", resource is Record)
when { context.inDistrict && principal.roles.contains("vaccination_nurse") };
permit (principal, action == Action::"read", resource is Record)
when { principal.roles.contains("investigator") && context.purpose == "investigation" };
permit (principal, action == Action::"read", resource is Record)
when { principal.roles.contains("dpo") && context.purpose == "data_subject_request" };
permit (principal, action == Action::"read", resource is Record)
when { principal.roles.contains("partner") && context.consented };

// --- Fields in a read: masked for everyone, a partner sees only what a parent consented to ----
permit (principal, action == Action::"view", resource is Field);
forbid (principal, action == Action::"view", resource is Field)
when {
  principal.roles.contains("partner") &&
  !(["babyName", "birthTime", "motherName", "motherPhone", "hospital"].contains(resource.name))
};

// --- Clear values: by purpose --------------------------------------------------------------------
permit (principal, action == Action::"reveal", resource is Field)
when { context.purpose == "treatment" && principal.roles.contains("clinician") && (context.sameOrg || context.inCare) };
permit (principal, action == Action::"reveal", resource is Field)
when {
  context.purpose == "birth_registration" && principal.roles.contains("records_clerk") && context.sameOrg &&
  ["babyName", "babySex", "birthTime", "babyResidentId", "birthCertificateNo", "hospital", "motherName",
   "motherResidentId", "fatherName", "fatherResidentId", "address", "ownerName", "ownerResidentId",
   "plateNumber", "brand", "registeredAt"].contains(resource.name)
};
permit (principal, action == Action::"reveal", resource is Field)
when {
  context.purpose == "vaccination" && principal.roles.contains("vaccination_nurse") &&
  (context.inCare || context.sameOrg || context.inDistrict) &&
  ["babyName", "babySex", "birthTime", "motherName", "motherPhone", "fatherPhone",
   "vaccinations"].contains(resource.name)
};
permit (principal, action == Action::"reveal", resource is Field)
when {
  context.purpose == "partner_contact" && principal.roles.contains("partner") && context.consented &&
  ["babyName", "motherName", "motherPhone"].contains(resource.name)
};
permit (principal, action == Action::"reveal", resource is Field)
when { context.purpose == "investigation" && principal.roles.contains("investigator") };
permit (principal, action == Action::"reveal", resource is Field)
when { context.purpose == "data_subject_request" && principal.roles.contains("dpo") };

// Never rows for the data centre or the statistics office, whatever else is permitted.
forbid (principal, action in [Action::"read", Action::"reveal", Action::"export", Action::"due_list"], resource)
when { ["data_centre", "statistics_office"].contains(principal.orgKind) || principal.roles.contains("statistician") };

// --- Writes ---------------------------------------------------------------------------------------
permit (principal, action == Action::"collect", resource is Record)
when { principal.roles.containsAny(["clinician", "records_clerk", "vaccination_nurse"]) };
permit (principal, action == Action::"update", resource is Record)
when {
  (context.sameOrg || context.inCare) &&
  principal.roles.containsAny(["clinician", "records_clerk", "vaccination_nurse"])
};
permit (principal, action == Action::"erase", resource is Record)
when { principal.roles.contains("dpo") && context.purpose == "data_subject_request" };

// --- A guardian's consents: recorded or withdrawn by the record's organisation, which holds the
// signed form, or by a data-protection officer (a withdrawal asked of the registry) ----------------
permit (principal, action == Action::"consent", resource is Record)
when { context.sameOrg && principal.roles.containsAny(["clinician", "records_clerk", "vaccination_nurse"]) };
permit (principal, action == Action::"consent", resource is Record)
when { principal.roles.contains("dpo") };

// --- Invitations to the parents' portal: issued by the record's organisation, printed on the
// discharge or registration paper (service/portal/invitations.ts) ---------------------------------
permit (principal, action == Action::"invite", resource is Record)
when { context.sameOrg && principal.roles.containsAny(["clinician", "records_clerk", "vaccination_nurse"]) };

// --- The vaccination clinic's due list (ADR 0022): a nurse of a clinic, for the vaccination purpose,
// lists the children living in the districts the clinic serves, and records the doses it gives
// (the vaccinations field only) for them and for its own organisation's records ------------------
permit (principal, action == Action::"due_list", resource is Record)
when {
  context.purpose == "vaccination" && context.inDistrict && principal.orgKind == "vaccination_clinic" &&
  principal.roles.contains("vaccination_nurse")
};
permit (principal, action == Action::"record_dose", resource is Record)
when {
  context.purpose == "vaccination" && (context.inDistrict || context.sameOrg) &&
  principal.roles.contains("vaccination_nurse")
};

// --- Bulk exports: requested by a clerk, a DPO or an investigator; approved by a DPO ----------
permit (principal, action == Action::"export", resource is Record)
when { principal.roles.containsAny(["records_clerk", "dpo", "investigator"]) };
permit (principal, action == Action::"approve", resource is Api)
when { principal.roles.contains("dpo") };

// --- Aggregates, administration, oversight ------------------------------------------------------
permit (principal, action == Action::"aggregate", resource is Api)
when { principal.roles.containsAny(["statistician", "dpo", "auditor", "investigator"]) };
permit (principal, action == Action::"administer", resource is Api)
when { principal.roles.contains("administrator") };
permit (principal, action == Action::"manage_policy", resource is Api)
when { principal.roles.contains("dpo") };
permit (principal, action == Action::"view_alerts", resource is Api)
when { principal.roles.containsAny(["dpo", "auditor"]) };
permit (principal, action == Action::"hash_identifier", resource is Api)
when { principal.roles.contains("administrator") };
permit (principal, action == Action::"investigate", resource is Api)
when { principal.roles.containsAny(["investigator", "dpo"]) };
permit (principal, action == Action::"trace", resource is Api)
when { principal.roles.contains("investigator") };
// The ledger's entries (entry bundles, receipts): its hashes are public, what it says is for those
// who audit. An investigator follows the entries about a record (POST /v1/ledger/hash-identifier).
permit (principal, action == Action::"audit", resource is Api)
when { principal.roles.containsAny(["auditor", "dpo", "investigator"]) };
`;
