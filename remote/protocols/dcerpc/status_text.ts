/**
 * Words for the codes a DCE/RPC server answers with: a fault's or reject's status, a bind_nak's
 * reason, a refused presentation context's result. Each goes into a one-line message, so an
 * unknown code is shown as its number rather than dropped.
 *
 * @module
 */

import { EPT_S_NOT_REGISTERED } from "./constants.ts";

/** Names of the statuses a fault or reject most often carries (C706 appendix E, [MS-RPCE]). */
const STATUS_NAMES = new Map<number, string>([
  [0x00000005, "access denied"],
  [0x000006d8, "operation cannot be performed"],
  [0x000006f7, "bad stub data"],
  [0x1c000001, "nca_s_fault_int_div_by_zero"],
  [0x1c000002, "nca_s_fault_addr_error"],
  [0x1c00000d, "nca_s_fault_cancel"],
  [0x1c000012, "nca_s_fault_unspec"],
  [0x1c00001a, "nca_s_fault_context_mismatch"],
  [0x1c00001b, "nca_s_fault_remote_no_memory"],
  [0x1c00001c, "nca_s_invalid_pres_context_id"],
  [0x1c00001d, "nca_s_unsupported_authn_level"],
  [0x1c010002, "nca_s_op_rng_error"],
  [0x1c010003, "nca_s_unk_if"],
  [0x1c010006, "nca_s_wrong_boot_time"],
  [0x1c010009, "nca_s_you_crashed"],
  [0x1c01000b, "nca_s_proto_error"],
  [0x1c010013, "nca_s_out_args_too_big"],
  [0x1c010014, "nca_s_server_too_busy"],
  [0x1c010017, "nca_s_unsupported_type"],
  [EPT_S_NOT_REGISTERED, "ept_s_not_registered"],
]);

/** A status for a message: `0x1c010003 (nca_s_unk_if)`, or just the hex for one not known. */
export function statusText(status: number): string {
  const name = STATUS_NAMES.get(status);
  const hex = `0x${status.toString(16).padStart(8, "0")}`;
  return name ? `${hex} (${name})` : hex;
}

/** Why a bind_nak refused (C706 12.6.3.9, `p_reject_reason_t`). */
const BIND_NAK_REASONS = [
  "reason not specified",
  "temporary congestion",
  "local limit exceeded",
  "called presentation address unknown",
  "protocol version not supported",
  "default context not supported",
  "user data not readable",
  "no presentation service access point available",
  "authentication type not recognized",
  "invalid checksum",
];

/** A bind_nak's reason for a message. */
export function bindNakReasonText(reason: number): string {
  return BIND_NAK_REASONS[reason] ?? `reason ${reason}`;
}

/** Why a presentation context was refused (C706 12.6.3.1, `p_provider_reason_t`). */
const PROVIDER_REASONS = [
  "reason not specified",
  "abstract syntax not supported",
  "proposed transfer syntaxes not supported",
  "local limit exceeded",
];

/** A bind_ack context result for a message: `provider rejection: abstract syntax not supported`. */
export function contextResultText(result: number, reason: number): string {
  const results = ["acceptance", "user rejection", "provider rejection", "negotiate ack"];
  const what = results[result] ?? `result ${result}`;
  return result === 0 ? what : `${what}: ${PROVIDER_REASONS[reason] ?? `reason ${reason}`}`;
}
