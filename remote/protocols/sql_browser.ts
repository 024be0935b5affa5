/**
 * The SQL Server Resolution Protocol ([MC-SQLR], the SQL Server Browser service) on UDP 1434: a
 * CLNT_UCAST_EX request, one byte, asks a host for all its database instances, and the server
 * answers with an SVR_RESP listing each one's name, version and the endpoints (TCP port, pipe)
 * clients connect to.
 *
 * @module
 */

/** CLNT_UCAST_EX: the unicast request for every instance on the host. */
const CLNT_UCAST_EX = 0x03;
/** SVR_RESP: the first byte of every answer. */
const SVR_RESP = 0x05;
/** SVR_RESP, then RESP_SIZE, a little-endian u16. */
const HEADER_SIZE = 3;

/**
 * Keys whose value is more than one `;`-separated field: BV_INFO (Banyan VINES) is `bv;` item,
 * group, item, group, organisation. Every other key, known or not, takes one field.
 */
const FIELD_COUNTS: ReadonlyMap<string, number> = new Map([["bv", 5]]);

/** The one-byte CLNT_UCAST_EX request. */
export function encodeBrowserRequest(): Uint8Array {
  return new Uint8Array([CLNT_UCAST_EX]);
}

/** One key and its value, as the server sent them. */
export interface BrowserEntry {
  /** `ServerName`, `InstanceName`, `IsClustered`, `Version`, `tcp`, `np`, `via`, ... */
  key: string;
  /** The value; for `bv`, its five fields joined with `;` as on the wire. */
  value: string;
}

/** One instance: its entries in the server's order. */
export type BrowserInstance = BrowserEntry[];

/** What an SVR_RESP to CLNT_UCAST_EX says. */
export interface BrowserResponse {
  /** The instances, in the server's order; none when the host has none to list. */
  instances: BrowserInstance[];
}

/**
 * Reads an SVR_RESP. Throws for a datagram that is not one (another first byte, under three
 * bytes), whose RESP_SIZE runs past its end, or whose RESP_DATA stops inside an instance.
 */
export function decodeBrowserResponse(bytes: Uint8Array): BrowserResponse {
  if (bytes.length < HEADER_SIZE) throw new Error(`an SQL browser reply of ${bytes.length} bytes`);
  if (bytes[0] !== SVR_RESP) {
    throw new Error(`an SQL browser message of type 0x${hex(bytes[0])}, not SVR_RESP`);
  }
  const size = bytes[1] | (bytes[2] << 8);
  if (HEADER_SIZE + size > bytes.length) {
    throw new Error(`RESP_SIZE says ${size} bytes, ${bytes.length - HEADER_SIZE} came`);
  }
  // The strings are in the server's ANSI code page, which the reply does not name; Windows-1252
  // maps every byte to a character, so nothing is lost for Western servers and nothing throws.
  const text = new TextDecoder("windows-1252").decode(
    bytes.subarray(HEADER_SIZE, HEADER_SIZE + size),
  );
  return { instances: parseResponseData(text) };
}

/**
 * Splits RESP_DATA into instances. Each is `key;value` pairs joined with `;` and closed by `;;`,
 * so reading the fields in order, an empty field where a key should be closes the instance;
 * walking field by field, rather than splitting on `;;`, keeps `bv`'s five fields together.
 */
function parseResponseData(text: string): BrowserInstance[] {
  if (text === "") return [];
  const fields = text.split(";");
  const instances: BrowserInstance[] = [];
  let current: BrowserInstance = [];
  let index = 0;
  // The text ends `;;`, so its last two fields are empty: the closing key and what follows it.
  while (index < fields.length - 1) {
    const key = fields[index++];
    if (key === "") {
      if (current.length === 0) throw new Error("RESP_DATA has an empty instance");
      instances.push(current);
      current = [];
      continue;
    }
    const count = FIELD_COUNTS.get(key.toLowerCase()) ?? 1;
    // The value's fields must leave room for the closing empty key after them.
    if (index + count > fields.length - 1) {
      throw new Error(`RESP_DATA ends inside the value of ${key}`);
    }
    current.push({ key, value: fields.slice(index, index + count).join(";") });
    index += count;
  }
  if (current.length > 0 || fields[fields.length - 1] !== "") {
    throw new Error("RESP_DATA ends inside an instance, without its closing ;;");
  }
  return instances;
}

/** An entry's value by key, which the protocol compares without case; undefined when absent. */
export function browserValue(instance: BrowserInstance, key: string): string | undefined {
  const lower = key.toLowerCase();
  return instance.find((entry) => entry.key.toLowerCase() === lower)?.value;
}

/**
 * Lines for the report, as PortQry lays out an SQL Server answer: per instance one `key value`
 * line per entry in the server's order (`ServerName SQL-Server1`, `tcp 1433`, ...), and a blank
 * line between instances.
 */
export function describeBrowserResponse(response: BrowserResponse): string[] {
  if (response.instances.length === 0) return ["SQL Server browser listed no instances"];
  const lines: string[] = [];
  for (const [position, instance] of response.instances.entries()) {
    if (position > 0) lines.push("");
    for (const { key, value } of instance) lines.push(`${key} ${value}`);
  }
  return lines;
}

function hex(value: number): string {
  return value.toString(16).padStart(2, "0");
}
