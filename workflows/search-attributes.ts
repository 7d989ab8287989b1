import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The case workflow's search attributes. Every Temporal server stores these unencrypted, so they hold only status,
 * step kinds, agency ids and dates: never a survivor's personal data.
 */
export const CASE_STATUS = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const PENDING_STEP_KINDS = defineSearchAttributeKey('PendingStepKinds', SearchAttributeType.KEYWORD_LIST);
export const PENDING_AGENCIES = defineSearchAttributeKey('PendingAgencies', SearchAttributeType.KEYWORD_LIST);
export const NEXT_DUE_AT = defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME);

export const CASE_SEARCH_ATTRIBUTES = [CASE_STATUS, PENDING_STEP_KINDS, PENDING_AGENCIES, NEXT_DUE_AT] as const;
