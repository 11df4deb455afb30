// The first run's first question, "Which database?": "Find my databases" first (the way for
// someone who does not know what a SQLite file is), then the file chosen by hand, then the demo.
// An app or the demo chosen shows as the answer, with a way back; the finder stays mounted
// (hidden) meanwhile, so what it found is still there after "Choose something else".

import type { Dispatch } from "react";

import { ChooseButton } from "../../components/ChooseButton";
import { FindDatabases } from "../../components/FindDatabases";
import { holdsWords, lowerFirst } from "../../components/found";
import { databaseProblem, defaultName, type FirstRunAction, type FirstRunState } from "./wizard";

export function WhichDatabase({ state, dispatch }: { state: FirstRunState; dispatch: Dispatch<FirstRunAction> }) {
  const { demo, app, database, name, tried } = state;
  return (
    <>
      {demo && (
        <div className="chosen" data-testid="demo-chosen">
          <p>
            <strong>A tour with sample data</strong>: a small astrology app's made-up data that Keepsake creates, to try things out
            safely. It protects nothing of yours: add your own data when you are ready.
          </p>
          <button type="button" className="link" onClick={() => dispatch({ type: "use_demo", on: false })}>
            Choose my own database instead
          </button>
        </div>
      )}
      {app && (
        <div className="chosen" data-testid="first-run-app-chosen">
          <p>
            <strong>{app.name}</strong>
            {holdsWords(app) && `: ${lowerFirst(holdsWords(app))}`} (chosen)
          </p>
          <button type="button" className="link" onClick={() => dispatch({ type: "use_app", app: null })} data-testid="first-run-app-other">
            Choose something else
          </button>
        </div>
      )}
      <div hidden={demo || app !== null}>
        <FindDatabases
          onProtect={(found) => dispatch({ type: "use_app", app: found })}
          onPickFile={(path) => dispatch({ type: "database", path })}
        />
        <p className="or">or choose the file yourself</p>
        <label htmlFor="first-run-database">Database file</label>
        <div className="row">
          <input
            id="first-run-database"
            value={database}
            onChange={(e) => dispatch({ type: "database", path: e.target.value })}
            placeholder="/home/me/.local/share/myapp/data.db"
            spellCheck={false}
            data-testid="first-run-database"
            aria-invalid={tried && databaseProblem(state) !== null}
          />
          <ChooseButton kind="database" current={database} onChosen={(path) => dispatch({ type: "database", path })} testId="first-run-database-choose" />
        </div>
        <label>
          A name for it (optional)
          <input value={name} onChange={(e) => dispatch({ type: "name", text: e.target.value })} placeholder={defaultName(database)} />
        </label>
        <p className="or">or</p>
        <button type="button" data-testid="first-run-demo" onClick={() => dispatch({ type: "use_demo", on: true })}>
          Take a tour with sample data
        </button>
      </div>
    </>
  );
}
