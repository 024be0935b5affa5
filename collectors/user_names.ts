/**
 * User names for uids, for messages (`owned by nobody (uid 65534)`): the system's user database
 * where this build can ask it (libc's getpwuid_r on Linux, so NSS sources count), loaded only
 * when a message needs it.
 *
 * @module
 */

/** A name lookup: the user's name, or null where it is not known or this OS has no lookup here. */
export type UserNameLookup = (uid: number) => string | null;

/** This OS's user-name lookup; one that knows no names where there is none. */
export async function userNameLookup(): Promise<UserNameLookup> {
  if (Deno.build.os !== "linux") return () => null;
  try {
    const [{ loadLibc }, { UserNames }] = await Promise.all([
      import("./linux/ffi.ts"),
      import("./linux/names.ts"),
    ]);
    const names = new UserNames(loadLibc());
    return (uid) => {
      const name = names.name(uid);
      return name === String(uid) ? null : name; // UserNames gives the uid back when unknown
    };
  } catch {
    return () => null; // no libc to ask: the messages give the uid
  }
}
