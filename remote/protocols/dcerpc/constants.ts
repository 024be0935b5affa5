/**
 * DCE/RPC's numbers (C706, [MS-RPCE]): packet types, flag bits, the syntaxes and the `ept_lookup`
 * values an endpoint mapper client names, and the headers' fixed sizes. Both the
 * connection-oriented and the connectionless PDUs, and `ept_lookup`'s NDR, are written from them.
 *
 * @module
 */

/** Packet types (C706 12.5.1 and 12.6.1). */
export const PTYPE = {
  REQUEST: 0,
  PING: 1,
  RESPONSE: 2,
  FAULT: 3,
  WORKING: 4,
  NOCALL: 5,
  REJECT: 6,
  ACK: 7,
  CL_CANCEL: 8,
  FACK: 9,
  CANCEL_ACK: 10,
  BIND: 11,
  BIND_ACK: 12,
  BIND_NAK: 13,
  ALTER_CONTEXT: 14,
  ALTER_CONTEXT_RESP: 15,
  SHUTDOWN: 17,
  CO_CANCEL: 18,
  ORPHANED: 19,
} as const;

/** Connection-oriented `pfc_flags` bits (C706 12.6.3.1). */
export const PFC = {
  FIRST_FRAG: 0x01,
  LAST_FRAG: 0x02,
  PENDING_CANCEL: 0x04,
  CONC_MPX: 0x10,
  DID_NOT_EXECUTE: 0x20,
  MAYBE: 0x40,
  OBJECT_UUID: 0x80,
} as const;

/** Connectionless `flags1` bits (C706 12.5.3.1). */
export const CL_FLAGS1 = {
  LAST_FRAG: 0x02,
  FRAG: 0x04,
  NO_FACK: 0x08,
  MAYBE: 0x10,
  IDEMPOTENT: 0x20,
  BROADCAST: 0x40,
} as const;

/** An interface or transfer syntax: a UUID and a major.minor version. */
export interface SyntaxId {
  /** Lowercase, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
  uuid: string;
  major: number;
  minor: number;
}

/** The endpoint mapper's interface, `ept` v3.0 (C706 appendix O). */
export const EPMAPPER_SYNTAX: SyntaxId = {
  uuid: "e1af8308-5d1f-11c9-91a4-08002b14a0fa",
  major: 3,
  minor: 0,
};

/** The NDR transfer syntax, version 2 (C706 14). */
export const NDR_SYNTAX: SyntaxId = {
  uuid: "8a885d04-1ceb-11c9-9fe8-08002b104860",
  major: 2,
  minor: 0,
};

/** `ept_lookup`'s operation number in the `ept` interface. */
export const EPT_LOOKUP_OPNUM = 2;
/** `ept_lookup` inquiry type: every element of the map, whatever object or interface. */
export const RPC_C_EP_ALL_ELTS = 0;
/** `ept_lookup` version option: any version (ignored with RPC_C_EP_ALL_ELTS, but must be valid). */
export const RPC_C_VERS_ALL = 1;
/** The status the endpoint mapper returns when the map has no (more) entries to give. */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;

/** The connection-oriented common header's size. */
export const CO_HEADER_SIZE = 16;
/** The connectionless header's size. */
export const CL_HEADER_SIZE = 80;
/** A context handle's size on the wire: 4 bytes of attributes and a UUID. */
export const CONTEXT_HANDLE_SIZE = 20;
/** The nil context handle: what a first `ept_lookup` passes, and what the last one returns. */
export const NIL_HANDLE: Uint8Array = new Uint8Array(CONTEXT_HANDLE_SIZE);
