/**
 * The error-code catalogue: every `UserError.code` a mutation of any service can return, with
 * what it means, in one place for UI teams. A code names what is wrong, and a not-found code names
 * the entity (`LOAN_NOT_FOUND`). `test/error-codes.test.ts` fails when a service uses a code that is
 * not listed here (or this lists one no service uses), and `@crm/graphql-types` exports the codes as
 * the `UserErrorCode` union (generated from this module), so a UI can switch on them with type
 * checking. No imports: the client codegen reads this file.
 */
export const USER_ERROR_CODES = {
  // ---- input shape (any service) ----
  REQUIRED: 'A value is required and was missing or blank.',
  INVALID: 'The value breaks a rule of its field (the message says which).',
  INVALID_TYPE: 'The value has the wrong type.',
  INVALID_VALUE: 'The value is not one of the allowed values.',
  INVALID_FORMAT: 'The value does not have the expected format (code, phone, e-mail, identifier...).',
  INVALID_CODE: 'A code (of a rule, reward, tier...) is not 2 to 40 capitals, digits or underscores.',
  INVALID_DATE: 'Not a calendar date YYYY-MM-DD.',
  INVALID_RANGE: 'The lower bound of a range is above its upper bound.',
  TOO_SMALL: 'The value or text is below its minimum.',
  TOO_BIG: 'The value or text is above its maximum.',
  OUT_OF_RANGE: 'The value is outside the allowed range (the message gives it).',
  NOT_POSITIVE: 'The value must be greater than zero.',
  NEGATIVE: 'The value must not be negative.',
  NEGATIVE_AMOUNT: 'An amount must not be negative.',
  INVALID_AMOUNT: 'Not a valid amount (a positive number with at most the allowed decimals).',
  TOO_MANY_DECIMALS: 'An amount has more decimals than its currency or field allows.',
  INVALID_CURRENCY: 'Not an ISO 4217 currency code.',
  UNSUPPORTED_CURRENCY: 'The currency is not one the lender books in.',
  DATE_IN_FUTURE: 'The date is after today; it must be today or earlier (job as-of dates included).',
  DATE_IN_PAST: 'The date or time is before now; it must be in the future.',
  DUPLICATE_CODE: 'Another record already has this code.',
  NOT_ALLOWED: 'The field cannot be set here (e.g. a person field on an enterprise).',
  OUT_OF_SCOPE: "The customer or branch is outside the caller's branch.",
  ADMINISTRATOR_REQUIRED: 'Only an administrator may do this (e.g. above an approval limit).',
  IDEMPOTENCY_KEY_REUSED: 'The idempotency key was already used for a different request.',

  // ---- not found: the entity named ----
  CUSTOMER_NOT_FOUND: 'No customer with this id (or not visible to the caller).',
  SEGMENT_NOT_FOUND: 'No customer segment with this id.',
  LOAN_NOT_FOUND: 'No loan with this id (or not visible to the caller).',
  PRODUCT_NOT_FOUND: 'No loan product with this code or id.',
  COLLATERAL_NOT_FOUND: 'No collateral with this id.',
  RESTRUCTURING_NOT_FOUND: 'No restructuring request with this id.',
  RISK_WARNING_NOT_FOUND: 'No risk warning with this id.',
  RISK_WARNING_RULE_NOT_FOUND: 'No early-warning rule with this code.',
  REPAYMENT_NOT_FOUND: 'No repayment with this id (or not visible to the caller).',
  TASK_NOT_FOUND: 'No task with this id.',
  INTERACTION_NOT_FOUND: 'No interaction with this id.',
  COMPLAINT_NOT_FOUND: 'No complaint with this id.',
  SURVEY_NOT_FOUND: 'No active survey with this id.',
  DISPATCH_NOT_FOUND: 'No survey dispatch with this id.',
  EVENT_NOT_FOUND: 'No care event with this id.',
  GREETING_NOT_FOUND: 'No care greeting with this id.',
  ACCOUNT_NOT_FOUND: 'No loyalty account for this customer.',
  REWARD_NOT_FOUND: 'No active reward with this code.',
  REDEMPTION_NOT_FOUND: 'No redemption with this id.',
  UNKNOWN_TIER: 'No loyalty tier with this code.',

  // ---- jobs ----
  JOB_ALREADY_RUNNING: 'Another replica is running this job right now; nothing was done. Try again later.',

  // ---- customers ----
  INVALID_STATUS_TRANSITION: 'The customer cannot move from its status to the one asked for.',
  STATUS_UNCHANGED: 'The customer already has this status.',
  ALREADY_ASSIGNED: 'The customer already has this relationship manager.',
  EMPTY_SNAPSHOT: 'A financial snapshot needs at least one figure.',
  NAME_TAKEN: 'Another segment already has this name.',
  INVALID_RULE: 'A segment rule is not a valid rule tree.',
  EMPTY_GROUP: 'An all/any group of a segment rule has no condition.',
  RULE_TOO_COMPLEX: 'A segment rule has too many parts.',
  UNKNOWN_ATTRIBUTE: 'A segment rule names an attribute that does not exist.',
  UNSUPPORTED_OPERATOR: 'The attribute does not take this operator.',
  INVALID_VALUE_TYPE: 'The value compared with does not have the type of the attribute.',
  BASIC_MUST_START_AT_ZERO: 'The lowest grade threshold must start at 0.',
  NOT_ASCENDING: 'Grade thresholds must rise from one grade to the next.',
  ONE_PER_GRADE: 'Each grade needs exactly one threshold.',

  // ---- credit ----
  PRODUCT_INACTIVE: 'The loan product is not offered any more.',
  PRINCIPAL_OUT_OF_RANGE: "The principal is outside the product's limits.",
  FIRST_DUE_DATE_OUT_OF_RANGE: "The chosen first due date is outside the product's first-period bounds (days after the disbursement).",
  BUSINESS_DATE_MISMATCH: 'The business date given is not the open one: a date is closed once, in order (the message gives the open date).',
  TERM_OUT_OF_RANGE: "The term is outside the product's limits.",
  RATE_OUT_OF_RANGE: "The rate is outside the product's limits.",
  INVALID_DAY_COUNT: 'The day-count convention does not fit the repayment frequency.',
  INVALID_LOAN_STATUS: 'The loan is not in a status that allows this.',
  DISBURSEMENT_BEFORE_APPROVAL: 'A loan cannot be disbursed before the day it was approved.',
  SAME_PERSON: 'The applicant cannot approve their own loan (four eyes).',
  SELF_GUARANTEE: 'A borrower cannot guarantee their own loan.',
  LOAN_NOT_ACTIVE: 'The loan is not active (not disbursed, or closed).',
  LOAN_NOT_REPAID: 'The loan still has money owed; it cannot be closed.',
  DUPLICATE_REFERENCE: 'A repayment with this external reference was already booked on another loan or amount.',
  REPAYMENT_ALREADY_REVERSED: 'The repayment was already reversed.',
  REPAYMENT_BEFORE_RESTRUCTURING: 'The repayment was booked on a schedule the loan has since restructured; it cannot be reversed.',
  REPAYMENT_BEFORE_RESCHEDULING: 'A prepayment re-amortised the schedule at or after this repayment; it cannot be reversed.',
  REALLOCATION_FAILED: 'Without the reversed repayment, a later repayment of the loan could not be allocated again.',
  BACK_DATED_REALLOCATION_FAILED: 'A repayment valued before later ones would leave one of them unallocatable (or re-amortising the schedule); it is refused.',
  EXCEEDS_BALANCE: 'The repayment is more than everything owed on the loan.',
  OVERPAYMENT_REFUSED: 'The repayment is more than what is due and the product refuses prepayments.',
  BEFORE_DISBURSEMENT: 'The date is before the disbursement of the loan.',
  NOTHING_TO_RESTRUCTURE: 'No unpaid instalment falls due on or after the effective date.',
  OPEN_INSTALMENT_PARTLY_PAID: 'An instalment after the effective date is already (partly) paid.',
  ALREADY_DECIDED: 'The restructuring request was already approved or rejected.',
  INVALID_TRANSITION: 'The risk warning cannot move from its status to the one asked for.',
  INCOMPLETE: 'Give exactly one of the alternatives (or all the parts) the field asks for.',
  NORMAL_NOT_ZERO: 'The NORMAL risk class must start at 0 days past due.',
  NOT_INCREASING: 'Risk-class thresholds must rise from one class to the next.',

  // ---- engagement ----
  CONSENT_REQUIRED: 'The customer has not consented to this purpose or channel.',
  INVALID_TASK_TRANSITION: 'The task cannot move from its status to the one asked for.',
  TASK_CHANGED: 'The task changed meanwhile; read it again.',
  INVALID_COMPLAINT_TRANSITION: 'The complaint cannot move from its status to the one asked for.',
  USE_RESOLVE_COMPLAINT: 'A complaint is resolved with resolveComplaint, not a status change.',
  COMPLAINT_CHANGED: 'The complaint changed meanwhile; read it again.',
  DUPLICATE_QUESTION: 'Two questions of a survey have the same code.',
  MORE_THAN_ONE_NPS: 'A survey has at most one NPS question.',
  MORE_THAN_ONE_CSAT: 'A survey has at most one CSAT question.',
  ALREADY_RESPONDED: 'The survey dispatch already has a response.',
  ONE_AUDIENCE_REQUIRED: 'Give exactly one audience (customers or a segment).',
  AUDIENCE_TOO_LARGE: 'Too many customers in one dispatch.',
  CAPACITY_EXCEEDED: 'The care event is full.',
  EVENT_STARTED: 'The care event has started; no more invitations.',
  EVENT_NOT_STARTED: 'Attendance is recorded once the care event has started.',
  GREETING_NOT_PENDING: 'The care greeting was already sent or cancelled.',

  // ---- loyalty ----
  INSUFFICIENT_POINTS: 'The balance is lower than the points asked for.',
  OUT_OF_STOCK: 'The reward is out of stock.',
  TIER_NOT_ELIGIBLE: "The reward is above the member's tier.",
  ALREADY_CANCELLED: 'The redemption was already cancelled.',
  ZERO_POINTS: 'An adjustment of zero points changes nothing.',
  INVALID_MULTIPLIER: 'A tier multiplier must be positive, with at most 2 decimals.',
  DUPLICATE_RANK: 'Another tier already has this rank.',
  THRESHOLD_OUT_OF_ORDER: 'Tier thresholds must rise with the rank.',
} as const satisfies Record<string, string>;

/** A `UserError.code` of any mutation. */
export type UserErrorCode = keyof typeof USER_ERROR_CODES;

/**
 * `extensions.code` of thrown GraphQL errors (authentication, authorisation, malformed input,
 * broken infrastructure), which are not `userErrors`.
 */
export const GRAPHQL_ERROR_CODES = {
  UNAUTHENTICATED: 'No valid token.',
  FORBIDDEN: 'The caller lacks a role for the field, or the entity is outside their branch.',
  BAD_USER_INPUT: 'A malformed value (a bad date, an unknown enum value, a malformed cursor); the message names the field.',
  NOT_FOUND: 'The entity of a query does not exist.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure; details are in the logs, not the response.',
  SERVICE_UNAVAILABLE: 'The database is unavailable for a moment; retry (`extensions.retryable` is true).',
  SUBGRAPH_UNAVAILABLE: 'A service behind the gateway did not answer; its fields are null.',
  RATE_LIMITED: 'Too many requests from this user in the last minute.',
  QUERY_TOO_COSTLY: 'The query would cost more than the gateway allows.',
  QUERY_TOO_DEEP: 'The query nests deeper than the gateway allows.',
  TOO_MANY_ALIASES: 'The query has more aliases than the gateway allows.',
  QUERY_TOO_LARGE: 'The query text is larger than the gateway allows.',
  TOO_MANY_DIRECTIVES: 'The query has more directives than the gateway allows.',
} as const satisfies Record<string, string>;

export type GraphQLErrorCode = keyof typeof GRAPHQL_ERROR_CODES;

export const isUserErrorCode = (code: string): code is UserErrorCode => Object.hasOwn(USER_ERROR_CODES, code);
