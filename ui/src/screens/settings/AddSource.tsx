// Adding a database in Settings: its name, file and backup folder (typed or chosen, or the file
// found by "Find my databases"), or the demo database.

import { useState } from "react";

import * as api from "../../api";
import { ChooseButton } from "../../components/ChooseButton";
import { useAction } from "../../hooks";
import { defaultName } from "../firstRun/wizard";

/** `database`: a file to start from (found by "Find my databases"), named after it. */
export function AddSource({ onAdded, database: start = "" }: { onAdded: (name: string) => void; database?: string }) {
  const [name, setName] = useState(start ? defaultName(start) : "");
  const [database, setDatabase] = useState(start);
  const [backupDir, setBackupDir] = useState("");
  const add = useAction(
    () => api.addSource({ name: name.trim(), database: database.trim(), backupDir: backupDir.trim() || undefined }),
    {
      doing: "Adding a database",
      onSuccess: (s) => {
        setName("");
        setDatabase("");
        setBackupDir("");
        onAdded(s.name);
      },
    },
  );
  const demo = useAction(api.createDemoSource, { doing: "Setting up the demo database", onSuccess: (s) => onAdded(s.name) });
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <fieldset>
        <legend>Add a database</legend>
        <label>
          Name (how Keepsake calls it)
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Notes" required data-testid="add-name" autoFocus={start !== ""} />
        </label>
        <label htmlFor="add-database">Database file</label>
        <div className="row">
          <input
            id="add-database"
            value={database}
            onChange={(e) => setDatabase(e.target.value)}
            placeholder="/home/me/.local/share/app/data.db"
            required
            spellCheck={false}
            data-testid="add-database"
          />
          <ChooseButton kind="database" current={database} onChosen={setDatabase} testId="add-database-choose" />
        </div>
        <label htmlFor="add-backup-dir">Backup folder (leave empty for Keepsake's own folder)</label>
        <div className="row">
          <input id="add-backup-dir" value={backupDir} onChange={(e) => setBackupDir(e.target.value)} spellCheck={false} data-testid="add-backup-dir" />
          <ChooseButton kind="folder" current={backupDir} onChosen={setBackupDir} testId="add-backup-dir-choose" />
        </div>
      </fieldset>
      <div className="buttons">
        <button type="submit" className="primary" disabled={add.pending || !name.trim() || !database.trim()}>
          Add database
        </button>
        <button type="button" onClick={() => void demo.run()} disabled={demo.pending}>
          Use the demo database
        </button>
      </div>
    </form>
  );
}
