/**
 * SNMP v1 (RFC 1157) on UDP 161: a GetRequest for sysDescr.0, and the agent's answer. An agent
 * that does not know the community says nothing at all, which is why PortQry-style tools report
 * a silent SNMP port as "LISTENING or FILTERED" rather than closed.
 *
 * @module
 */

import { BER, berElement, berInteger, berOid, BerReader, berString, berToOid } from "./ber.ts";

/** sysDescr.0: the agent's description of its system. */
export const SYS_DESCR_OID = "1.3.6.1.2.1.1.1.0";

/** Context-specific, constructed PDU tags. */
const GET_REQUEST = 0xa0;
const GET_RESPONSE = 0xa2;
const SNMP_V1 = 0;

/** error-status values (RFC 1157 section 4.1.1), by number. */
const ERROR_STATUS = ["noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr"];

/** A GetRequest for `oid` with `community`. */
export function encodeSnmpGet(
  community: string,
  requestId: number,
  oid: string = SYS_DESCR_OID,
): Uint8Array {
  const binding = berElement(BER.SEQUENCE, berOid(oid), berElement(BER.NULL));
  const pdu = berElement(
    GET_REQUEST,
    berInteger(requestId),
    berInteger(0), // error-status
    berInteger(0), // error-index
    berElement(BER.SEQUENCE, binding),
  );
  return berElement(BER.SEQUENCE, berInteger(SNMP_V1), berString(community), pdu);
}

/** What a GetResponse says. */
export interface SnmpResponse {
  version: number;
  community: string;
  requestId: number;
  /** `noError`, `noSuchName`, ... */
  errorStatus: string;
  /** The variable bindings, values as text where they are strings or numbers. */
  bindings: { oid: string; value: string | number | null }[];
}

/** Reads a GetResponse. Throws BerError for anything else. */
export function decodeSnmpResponse(bytes: Uint8Array): SnmpResponse {
  const message = new BerReader(bytes).enter(BER.SEQUENCE);
  const version = message.integer();
  const community = message.string();
  const pdu = message.enter(GET_RESPONSE);
  const requestId = pdu.integer();
  const status = pdu.integer();
  pdu.integer(); // error-index
  const list = pdu.enter(BER.SEQUENCE);
  const bindings: SnmpResponse["bindings"] = [];
  while (list.more) {
    const binding = list.enter(BER.SEQUENCE);
    const oid = berToOid(binding.read(BER.OID).contents);
    const value = binding.read();
    bindings.push({
      oid,
      value: value.tag === BER.OCTET_STRING
        ? new TextDecoder().decode(value.contents)
        : value.tag === BER.INTEGER
        ? new BerReader(berElement(BER.INTEGER, value.contents)).integer()
        : value.tag === BER.OID
        ? berToOid(value.contents)
        : null,
    });
  }
  return {
    version,
    community,
    requestId,
    errorStatus: ERROR_STATUS[status] ?? `error ${status}`,
    bindings,
  };
}

/** Lines for the report: the agent's sysDescr, or the error it gave. */
export function describeSnmpResponse(response: SnmpResponse): string[] {
  if (response.errorStatus !== "noError") {
    return [`SNMP agent answered community '${response.community}' with ${response.errorStatus}`];
  }
  const descr = response.bindings.find((binding) => binding.oid === SYS_DESCR_OID);
  return [
    `SNMP agent answered community '${response.community}'`,
    `sysDescr: ${descr?.value ?? "(not given)"}`,
  ];
}
