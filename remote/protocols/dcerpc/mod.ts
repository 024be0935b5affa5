/**
 * DCE/RPC (The Open Group's C706, DCE 1.1 RPC, with Microsoft's [MS-RPCE] extensions): the PDUs
 * an endpoint mapper client exchanges, and the NDR of one call, `ept_lookup`. Connection-oriented
 * PDUs (version 5: bind, bind_ack, bind_nak, request, response, fault) carry it over TCP;
 * connectionless ones (version 4: request, response, fault, reject) over UDP.
 *
 * Requests are written little-endian, ASCII, IEEE (data representation 0x10 0 0 0), as every
 * Windows client writes them. Replies are read in whatever integer byte order their own data
 * representation says, since a server may answer in its native order. Every length a reply gives
 * is checked against the bytes there are, so a short or lying reply is a {@linkcode DceRpcError},
 * never a misread or an exception from deep inside.
 *
 * The bounds-checked reader and writer stay inside this folder: callers get PDUs and stubs, never
 * a half-read buffer.
 *
 * @module
 */

export {
  CL_FLAGS1,
  CL_HEADER_SIZE,
  CO_HEADER_SIZE,
  CONTEXT_HANDLE_SIZE,
  EPMAPPER_SYNTAX,
  EPT_LOOKUP_OPNUM,
  EPT_S_NOT_REGISTERED,
  NDR_SYNTAX,
  NIL_HANDLE,
  PFC,
  PTYPE,
  RPC_C_EP_ALL_ELTS,
  RPC_C_VERS_ALL,
  type SyntaxId,
} from "./constants.ts";
export { bindNakReasonText, contextResultText, statusText } from "./status_text.ts";
export { cString, DceRpcError, decodeUuid, encodeUuid } from "./wire.ts";
export {
  type BindOptions,
  type CoHeader,
  type ContextResult,
  type CoPdu,
  type CoRequestOptions,
  decodeCoHeader,
  decodeCoPdu,
  encodeBind,
  encodeCoRequest,
} from "./connection_oriented.ts";
export {
  type ClHeader,
  type ClPdu,
  type ClRequestOptions,
  decodeClPdu,
  encodeClRequest,
} from "./connectionless.ts";
export {
  decodeEptLookupReply,
  encodeEptLookup,
  type EptEntry,
  type EptLookupReply,
  isNilHandle,
} from "./ept_lookup.ts";
