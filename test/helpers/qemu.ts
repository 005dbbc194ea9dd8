// qemu-user for arm64 binaries on an x86_64 test machine: registers Debian's qemu-aarch64-static
// as a binfmt_misc handler (flag F: the kernel opens the interpreter now, so it works inside
// containers too), when this machine lets a test do so, and removes the handler it registered.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';

const BINFMT = '/proc/sys/fs/binfmt_misc';
const QEMU = '/usr/bin/qemu-aarch64-static';
const NAME = 'longshore-qemu-aarch64';
// The ELF header of an aarch64 executable, as qemu's own binfmt scripts match it.
const MAGIC = '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00';
const MASK = '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff';

export interface Qemu {
  /** arm64 binaries run here. */
  ok: boolean;
  /** Why they do not. */
  reason?: string;
  /** Removes the handler this registered (none registered: nothing). */
  release(): Promise<void>;
}

/** An aarch64 handler already there (binfmt-support's, or one left by a test): used as it is. */
function existing(): string | undefined {
  for (const n of ['qemu-aarch64', NAME]) {
    const f = `${BINFMT}/${n}`;
    if (existsSync(f) && readFileSync(f, 'utf8').startsWith('enabled')) return n;
  }
  return undefined;
}

export async function armEmulation(): Promise<Qemu> {
  const none = async () => {};
  if (process.arch === 'arm64') return { ok: true, release: none };
  if (!existsSync(QEMU)) return { ok: false, reason: `${QEMU} is missing (Debian's qemu-user-static; scripts/setup.sh installs it)`, release: none };
  if (!existsSync(`${BINFMT}/register`)) {
    const m = await execa('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT], { reject: false, all: true });
    if (m.exitCode !== 0 || !existsSync(`${BINFMT}/register`)) return { ok: false, reason: `binfmt_misc cannot be mounted at ${BINFMT}: ${m.all?.trim()}`, release: none };
  }
  if (existing()) return { ok: true, release: none };
  try {
    writeFileSync(`${BINFMT}/register`, `:${NAME}:M::${MAGIC}:${MASK}:${QEMU}:F`);
  } catch (e) {
    return { ok: false, reason: `${BINFMT}/register is not writable here: ${(e as Error).message}`, release: none };
  }
  return {
    ok: true,
    async release() {
      try {
        writeFileSync(`${BINFMT}/${NAME}`, '-1');
      } catch {
        // gone already
      }
    },
  };
}
