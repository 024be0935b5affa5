/**
 * A directory's access control list, through advapi32: the service's log directory gets the
 * original's advice, full control for Administrators and SYSTEM and for nobody else, with nothing
 * inherited from the directory above (whose ACL usually lets every user read and create files).
 * Files the service writes there inherit the same two entries.
 *
 * @module
 */

import { loadWin32, wideString, wideStringAt } from "./ffi.ts";

/**
 * SDDL of the log directory's DACL: protected (`P`: the parent's entries are not inherited),
 * full access (`FA`) allowed to SYSTEM (`SY`) and to the Administrators group (`BA`), inherited
 * by the files (`OI`) and directories (`CI`) in it.
 */
export const ADMINISTRATORS_AND_SYSTEM_ONLY = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

const SDDL_REVISION_1 = 1;
const SE_FILE_OBJECT = 1;
const DACL_SECURITY_INFORMATION = 0x4;
/** With SetNamedSecurityInfoW: the DACL stops inheriting from the parent. */
const PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;

/** An ACL could not be set or read; the message names the path and the Win32 error. */
export class DirectoryAclError extends Error {
  override name = "DirectoryAclError";
}

/**
 * Replaces the DACL of `path` (a file or directory) with the one `sddl` describes (by default
 * {@linkcode ADMINISTRATORS_AND_SYSTEM_ONLY}); what is already in a directory gets its inheritable
 * entries too.
 */
export function setDirectoryAcl(path: string, sddl = ADMINISTRATORS_AND_SYSTEM_ONLY): void {
  const { advapi32, kernel32 } = loadWin32();
  const descriptorCell = new BigUint64Array(1);
  if (
    !advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(
      wideString(sddl),
      SDDL_REVISION_1,
      new Uint8Array(descriptorCell.buffer),
      null,
    )
  ) {
    throw new DirectoryAclError(`cannot read the ACL ${sddl} (error ${kernel32.GetLastError()})`);
  }
  const descriptor = Deno.UnsafePointer.create(descriptorCell[0]);
  try {
    const present = new Int32Array(1), defaulted = new Int32Array(1);
    const daclCell = new BigUint64Array(1);
    if (
      !advapi32.GetSecurityDescriptorDacl(
        descriptor,
        new Uint8Array(present.buffer),
        new Uint8Array(daclCell.buffer),
        new Uint8Array(defaulted.buffer),
      ) || !present[0]
    ) {
      throw new DirectoryAclError(`the ACL ${sddl} has no DACL (error ${kernel32.GetLastError()})`);
    }
    const error = advapi32.SetNamedSecurityInfoW(
      wideString(path),
      SE_FILE_OBJECT,
      // Added, not or'ed: JavaScript's | would make the high bit a negative number.
      DACL_SECURITY_INFORMATION + PROTECTED_DACL_SECURITY_INFORMATION,
      null,
      null,
      Deno.UnsafePointer.create(daclCell[0]),
      null,
    );
    if (error !== 0) {
      throw new DirectoryAclError(`cannot set the ACL of ${path} (error ${error})`);
    }
  } finally {
    kernel32.LocalFree(descriptor);
  }
}

/** The DACL of `path` as SDDL (`D:P(A;OICI;FA;;;SY)…`), as Windows reads it back. */
export function directoryAcl(path: string): string {
  const { advapi32, kernel32 } = loadWin32();
  const daclCell = new BigUint64Array(1), descriptorCell = new BigUint64Array(1);
  const error = advapi32.GetNamedSecurityInfoW(
    wideString(path),
    SE_FILE_OBJECT,
    DACL_SECURITY_INFORMATION,
    null,
    null,
    new Uint8Array(daclCell.buffer),
    null,
    new Uint8Array(descriptorCell.buffer),
  );
  if (error !== 0) throw new DirectoryAclError(`cannot read the ACL of ${path} (error ${error})`);
  const descriptor = Deno.UnsafePointer.create(descriptorCell[0]);
  try {
    const textCell = new BigUint64Array(1);
    if (
      !advapi32.ConvertSecurityDescriptorToStringSecurityDescriptorW(
        descriptor,
        SDDL_REVISION_1,
        DACL_SECURITY_INFORMATION,
        new Uint8Array(textCell.buffer),
        null,
      )
    ) {
      throw new DirectoryAclError(
        `cannot write the ACL of ${path} as SDDL (error ${kernel32.GetLastError()})`,
      );
    }
    const text = Deno.UnsafePointer.create(textCell[0]);
    try {
      return wideStringAt(text);
    } finally {
      kernel32.LocalFree(text);
    }
  } finally {
    kernel32.LocalFree(descriptor);
  }
}
