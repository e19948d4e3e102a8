/**
 * What AWS WAF (v2) itself accepts, written down once so that the rules file
 * is refused on a laptop rather than by CloudFormation halfway through a
 * deploy. Each constant names the WAF API field it mirrors; the JSON schema
 * (firewall-rules.schema.json) repeats these lists and a test keeps the two
 * in step.
 */

/** Rule.Name: "Minimum length of 1. Maximum length of 128. Pattern: ^[\w\-]+$". */
export const RULE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** RateBasedStatement.Limit: "Minimum value of 10. Maximum value of 2000000000." */
export const RATE_LIMIT_MIN = 10;
export const RATE_LIMIT_MAX = 2_000_000_000;

/** RateBasedStatement.EvaluationWindowSec: the only values WAF takes; 300 is WAF's own default. */
export const RATE_WINDOWS_SECONDS = [60, 120, 300, 600] as const;
export type RateWindowSeconds = (typeof RATE_WINDOWS_SECONDS)[number];
export const DEFAULT_RATE_WINDOW_SECONDS: RateWindowSeconds = 300;

/**
 * A CLOUDFRONT web ACL forwards at most the first 16 KiB of a body to WAF
 * (the default body inspection limit). A size rule with oversize handling
 * MATCH is exact up to that size and can say nothing finer above it, so a
 * body-size limit above 16 KiB could not be enforced as written.
 */
export const BODY_INSPECTION_LIMIT_BYTES = 16_384;

/**
 * CustomResponse.ResponseCode: the status codes WAF's "Supported status codes
 * for custom responses" lists, keeping only the error classes (4xx, 5xx): a
 * block that answered 2xx or 3xx would look like success to a client.
 */
export const BLOCK_STATUS_CODES = [
  400, 401, 403, 404, 405, 408, 409, 411, 412, 413, 414, 415, 416, 421, 429, 500, 501, 502, 503, 504, 505,
] as const;

/** What WAF answers a block with when no custom response is set. */
export const WAF_DEFAULT_BLOCK_STATUS = 403;

/**
 * AWS managed rule groups (VendorName "AWS") that work with no
 * ManagedRuleGroupConfigs and no per-request fee. Bot Control, account
 * takeover / creation fraud prevention and anti-DDoS need extra
 * configuration and pricing decisions that this file does not model.
 */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesAdminProtectionRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
  'AWSManagedRulesLinuxRuleSet',
  'AWSManagedRulesUnixRuleSet',
  'AWSManagedRulesWindowsRuleSet',
  'AWSManagedRulesPHPRuleSet',
  'AWSManagedRulesWordPressRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesAnonymousIpList',
] as const;
export type ManagedRuleGroupName = (typeof MANAGED_RULE_GROUPS)[number];

/**
 * ISO 3166-1 alpha-2, the 249 officially assigned codes: what WAF's geo match
 * statement and CloudFront's geo restriction both take. User-assigned codes
 * (XK and the like) are left out because the same list feeds CloudFront.
 */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
    'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
    'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
    'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
    'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
    'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
    'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);
