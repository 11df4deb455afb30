// The window's commands are declared once, as the `#[tauri::command]` functions in
// src/commands/*.rs. This script reads them (with syn) and writes:
// - `$OUT_DIR/commands.rs`: one `contract! { module::name(arg: Type, ...) -> Result; ... }`,
//   which `src/commands.rs` expands into the handlers, the names and the TypeScript contract;
// - an `allow-<command>` permission for each (through tauri-build) and the capability file that
//   grants the window exactly those (app commands are otherwise all allowed).
// Commands are in file order (`backups`, `destinations`, ...), then in source order.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::visit_mut::VisitMut;

/// The folder of the command modules, and their module path in the crate.
const COMMANDS_DIR: &str = "src/commands";
const COMMANDS_MODULE: &[&str] = &["crate", "commands"];

/// Parameters Tauri fills in itself: the window never sends them.
const INJECTED: &[&str] = &["AppHandle", "State", "Window", "WebviewWindow", "Webview"];

fn main() {
    println!("cargo:rerun-if-changed={COMMANDS_DIR}");
    let commands = read_commands(Path::new(COMMANDS_DIR)).unwrap_or_else(|why| fail(&why));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_else(|| fail("OUT_DIR is not set")));
    write_if_changed(&out.join("commands.rs"), &contract(&commands));
    // tauri-build keeps the names for the whole build: they live as long as the script.
    let names: &'static [&'static str] =
        commands.iter().map(|c| &*c.name.clone().leak()).collect::<Vec<_>>().leak();
    write_if_changed(Path::new("capabilities/default.json"), &capability(names));
    let manifest = tauri_build::AppManifest::new().commands(names);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        fail(&format!("tauri-build failed: {e:#}"));
    }
}

fn fail(why: &str) -> ! {
    println!("cargo:warning={why}");
    std::process::exit(1);
}

/// One command, as its function declares it.
struct Command {
    module: String,
    name: String,
    /// What the window sends: each argument's name and type (paths written from the crate's
    /// root, so they mean the same in `commands.rs` as in the module).
    args: Vec<(String, String)>,
    /// `T` of a `Result<T, _>` (or `IpcResult<T>`), else the returned type.
    ret: String,
}

/// Every command of every module under `dir`, modules by name, functions in source order.
fn read_commands(dir: &Path) -> Result<Vec<Command>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let mut commands = Vec::new();
    let mut seen = BTreeSet::new();
    for path in files {
        let module = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file = syn::parse_file(&text).map_err(|e| {
            let at = e.span().start();
            format!("{}:{}:{}: {e}", path.display(), at.line, at.column + 1)
        })?;
        let mut scope = Scope::new(&module, &file);
        for item in &file.items {
            let syn::Item::Fn(f) = item else { continue };
            if !f.attrs.iter().any(is_command_attribute) {
                continue;
            }
            let name = f.sig.ident.to_string();
            if !seen.insert(name.clone()) {
                return Err(format!("{}: a second command named {name}", path.display()));
            }
            let mut args = Vec::new();
            for input in &f.sig.inputs {
                let syn::FnArg::Typed(arg) = input else {
                    return Err(format!("{}: {name} takes self", path.display()));
                };
                if is_injected(&arg.ty) {
                    continue;
                }
                let syn::Pat::Ident(ident) = arg.pat.as_ref() else {
                    return Err(format!("{}: an argument of {name} is not a plain name", path.display()));
                };
                args.push((ident.ident.to_string(), scope.absolute(&arg.ty)));
            }
            let ret = match &f.sig.output {
                syn::ReturnType::Default => "()".to_owned(),
                syn::ReturnType::Type(_, ty) => scope.absolute(ok_type(ty)),
            };
            commands.push(Command { module: module.clone(), name, args, ret });
        }
    }
    Ok(commands)
}

/// `#[tauri::command]` (or `#[command]`).
fn is_command_attribute(attr: &syn::Attribute) -> bool {
    let segments: Vec<String> = attr.path().segments.iter().map(|s| s.ident.to_string()).collect();
    segments == ["tauri", "command"] || segments == ["command"]
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

fn is_injected(ty: &syn::Type) -> bool {
    last_segment(ty).is_some_and(|s| INJECTED.iter().any(|i| s.ident == i))
}

/// What a command answers the window: `T` of `Result<T, E>` or `IpcResult<T>`, else the type.
fn ok_type(ty: &syn::Type) -> &syn::Type {
    if let Some(segment) = last_segment(ty)
        && (segment.ident == "Result" || segment.ident == "IpcResult")
        && let syn::PathArguments::AngleBracketed(args) = &segment.arguments
        && let Some(syn::GenericArgument::Type(ok)) = args.args.first()
    {
        return ok;
    }
    ty
}

/// What the names of one module mean there: its `use`s and its own types. A type written in a
/// command's signature is rewritten from the crate's root (`RestoreOutcome` is
/// `keepsake_engine::model::RestoreOutcome`, `RestoreRequest` is
/// `crate::commands::backups::RestoreRequest`), so the generated list needs no imports.
struct Scope {
    /// The module's own path, from `crate`.
    path: Vec<String>,
    /// Each name a `use` brings in, and the path it stands for.
    uses: HashMap<String, Vec<String>>,
    /// The types the module declares.
    own: BTreeSet<String>,
}

impl Scope {
    fn new(module: &str, file: &syn::File) -> Scope {
        let mut path: Vec<String> = COMMANDS_MODULE.iter().map(|s| (*s).to_owned()).collect();
        path.push(module.to_owned());
        let mut scope = Scope { path, uses: HashMap::new(), own: BTreeSet::new() };
        for item in &file.items {
            match item {
                syn::Item::Use(u) => scope.add_use(&[], &u.tree),
                syn::Item::Struct(syn::ItemStruct { ident, .. })
                | syn::Item::Enum(syn::ItemEnum { ident, .. })
                | syn::Item::Type(syn::ItemType { ident, .. }) => {
                    scope.own.insert(ident.to_string());
                }
                _ => {}
            }
        }
        scope
    }

    fn add_use(&mut self, prefix: &[String], tree: &syn::UseTree) {
        let with = |name: &syn::Ident| [prefix, &[name.to_string()]].concat();
        match tree {
            syn::UseTree::Path(p) => self.add_use(&with(&p.ident), &p.tree),
            syn::UseTree::Name(n) if n.ident == "self" => {
                if let Some(last) = prefix.last() {
                    self.uses.insert(last.clone(), prefix.to_vec());
                }
            }
            syn::UseTree::Name(n) => {
                self.uses.insert(n.ident.to_string(), with(&n.ident));
            }
            syn::UseTree::Rename(r) => {
                self.uses.insert(r.rename.to_string(), with(&r.ident));
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.add_use(prefix, t)),
            // What a glob brings in is not known here; a type it names stays as written.
            syn::UseTree::Glob(_) => {}
        }
    }

    /// `segments` with a leading `self` or `super` made absolute.
    fn rooted(&self, segments: &[String]) -> Vec<String> {
        let mut path = self.path.clone();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().is_some_and(|s| s == "super") {
                    path.pop();
                    rest = &rest[1..];
                }
            }
            _ => return segments.to_vec(),
        }
        path.extend(rest.iter().cloned());
        path
    }

    /// The type's text, with every path in it written from the crate's root.
    fn absolute(&mut self, ty: &syn::Type) -> String {
        let mut ty = ty.clone();
        self.visit_type_mut(&mut ty);
        tidy(&ty.to_token_stream().to_string())
    }
}

impl VisitMut for Scope {
    fn visit_type_path_mut(&mut self, node: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, node);
        if node.qself.is_some() {
            return;
        }
        let first = node.path.segments[0].ident.to_string();
        let stands_for = if first == "self" || first == "super" {
            let written: Vec<String> = node.path.segments.iter().map(|s| s.ident.to_string()).collect();
            let n = written.iter().take_while(|s| *s == "self" || *s == "super").count();
            Some((self.rooted(&written[..n]), n))
        } else if let Some(path) = self.uses.get(&first) {
            Some((self.rooted(path), 1))
        } else if self.own.contains(&first) {
            Some((self.path.clone(), 0))
        } else {
            None
        };
        let Some((prefix, replaced)) = stands_for else { return };
        let mut segments: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> = prefix
            .iter()
            .map(|s| syn::PathSegment::from(syn::Ident::new(s, proc_macro2::Span::call_site())))
            .collect();
        // `Checked<Schedule>` brought in by a `use` keeps its `<Schedule>`.
        if let (Some(last), Some(i)) = (segments.last_mut(), replaced.checked_sub(1)) {
            last.arguments = node.path.segments[i].arguments.clone();
        }
        segments.extend(node.path.segments.iter().skip(replaced).cloned());
        node.path.segments = segments;
    }
}

/// Token text (`Option < Vec < String > >`) as a person writes it (`Option<Vec<String>>`).
fn tidy(tokens: &str) -> String {
    tokens.replace(" :: ", "::").replace(" <", "<").replace("< ", "<").replace(" >", ">").replace(" ,", ",")
}

/// The generated `$OUT_DIR/commands.rs`.
fn contract(commands: &[Command]) -> String {
    let mut out = String::from(
        "// Generated by build.rs from the #[tauri::command] functions in src/commands/*.rs: \
         do not edit.\ncontract! {\n",
    );
    for c in commands {
        let args: Vec<String> = c.args.iter().map(|(name, ty)| format!("{name}: {ty}")).collect();
        out.push_str(&format!("    {}::{}({}) -> {};\n", c.module, c.name, args.join(", "), c.ret));
    }
    out.push_str("}\n");
    out
}

/// capabilities/default.json: listening to the app's events and its own commands, nothing else.
fn capability(commands: &[&str]) -> String {
    let mut permissions = vec!["core:event:allow-listen".to_owned(), "core:event:allow-unlisten".to_owned()];
    permissions.extend(commands.iter().map(|c| format!("allow-{}", c.replace('_', "-"))));
    let list = permissions.iter().map(|p| format!("    \"{p}\"")).collect::<Vec<_>>().join(",\n");
    format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"default\",\n  \
         \"description\": \"The main window: Keepsake's own commands (generated by build.rs from the \
         #[tauri::command] functions in src/commands/) and listening to its events, nothing else (no file \
         system, shell or network plugins).\",\n  \
         \"windows\": [\n    \"main\"\n  ],\n  \"permissions\": [\n{list}\n  ]\n}}\n"
    )
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text)
        && let Err(e) = std::fs::write(path, text)
    {
        fail(&format!("cannot write {}: {e}", path.display()));
    }
}
