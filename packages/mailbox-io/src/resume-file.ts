/**
 * Where an IMAP import remembers how far it got: per remote folder, the UIDVALIDITY and the highest
 * UID durably stored. A JSON file, replaced atomically (write then rename) so a crash leaves the old
 * or the new state, never half of one. A UIDVALIDITY change (RFC 3501 2.3.1.1) restarts the folder;
 * the importer's duplicate check keeps that from storing anything twice.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ResumeState {
  folders: Record<string, { uidValidity: string; lastUid: number }>;
}

export interface ResumeStore {
  load(): Promise<ResumeState>;
  save(state: ResumeState): Promise<void>;
}

export function fileResumeStore(file: string): ResumeStore {
  return {
    async load() {
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as ResumeState;
        return parsed && typeof parsed.folders === 'object' ? parsed : { folders: {} };
      } catch {
        return { folders: {} };
      }
    },
    async save(state) {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp`;
      await writeFile(tmp, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o600 });
      await rename(tmp, file);
    },
  };
}

export function memoryResumeStore(): ResumeStore {
  let saved: ResumeState = { folders: {} };
  return {
    load: async () => structuredClone(saved),
    save: async (state) => {
      saved = structuredClone(state);
    },
  };
}
