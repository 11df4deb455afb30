//! The window's contract, generated: the TypeScript of every type that crosses the IPC boundary
//! (from the Rust types themselves, through ts-rs), a `Commands` map from each command's name
//! to its arguments and result, the events and their payloads. `ui/src/bindings.ts` is this
//! output, committed; a test regenerates it and fails when it drifts (`make bindings` writes
//! it). The list of commands is `commands::contract!`'s, the only one.

use std::collections::BTreeSet;

use ts_rs::{Config, TS, TypeVisitor};

/// How the types are written: Rust's 64-bit integers are JavaScript numbers (sizes and counts
/// stay far below 2^53), maps are indexed objects.
pub fn config() -> Config {
    Config::new().with_large_int("number")
}

/// The TypeScript of a type: its name, and whether an argument of it may be left out.
pub fn ts<T: TS + 'static + ?Sized>() -> (String, bool) {
    (T::name(&config()), T::IS_OPTION)
}

/// The contract being written.
#[derive(Debug, Default)]
pub struct Contract {
    decls: Vec<(String, String)>,
    seen: BTreeSet<String>,
    commands: Vec<String>,
    names: Vec<String>,
}

impl TypeVisitor for Contract {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        let cfg = config();
        if T::output_path().is_some() {
            if !self.seen.insert(T::ident(&cfg)) {
                return;
            }
            let docs = T::docs().map(|d| format!("{d}\n")).unwrap_or_default();
            self.decls.push((T::ident(&cfg), format!("{docs}export {}", T::decl(&cfg))));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

impl Contract {
    /// One command: its name, its arguments (snake_case, as in Rust) and its result.
    pub fn command(&mut self, name: &str, args: &[(&str, (String, bool))], result: (String, bool)) {
        let args: Vec<String> = args
            .iter()
            .map(|(arg, (ty, optional))| format!("{}{}: {ty}", camel(arg), if *optional { "?" } else { "" }))
            .collect();
        let args = if args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            format!("{{ {} }}", args.join("; "))
        };
        let result = if result.0 == "null" { "void".to_owned() } else { result.0 };
        self.commands.push(format!("  {name}: {{ args: {args}; result: {result} }};"));
        self.names.push(name.to_owned());
    }

    /// The whole file.
    pub fn render(mut self) -> String {
        self.visit::<crate::jobs::JobProgress>();
        self.visit::<crate::events::Changed>();
        self.decls.sort();
        let mut out = String::from(
            "// The window's contract with the Tauri shell, generated from the Rust types by \
             src-tauri/src/contract.rs.\n// Do not edit: change the Rust side and run `make bindings` \
             (make test fails when this file drifts).\n\n",
        );
        for (_, decl) in &self.decls {
            out.push_str(decl);
            out.push_str("\n\n");
        }
        out.push_str(
            "/** Every command: its arguments (camelCase, as `invoke` takes them) and its result. */\n",
        );
        out.push_str("export interface Commands {\n");
        for c in &self.commands {
            out.push_str(c);
            out.push('\n');
        }
        out.push_str("}\n\n/** Every command's name. */\nexport const COMMAND_NAMES = [\n");
        for n in &self.names {
            out.push_str(&format!("  \"{n}\",\n"));
        }
        out.push_str("] as const satisfies readonly (keyof Commands)[];\n\n");
        out.push_str(&format!(
            "/** The events the shell sends, and their payloads. */\nexport interface Events {{\n  \"{}\": JobProgress;\n  \"{}\": Changed;\n}}\n",
            crate::jobs::JOB_PROGRESS,
            crate::events::STATE_CHANGED
        ));
        out
    }
}

/// `job_id` as `jobId`: Tauri takes command arguments in camelCase.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_camel_case() {
        assert_eq!(camel("job_id"), "jobId");
        assert_eq!(camel("allow_unencrypted"), "allowUnencrypted");
        assert_eq!(camel("source"), "source");
    }
}
