//! `embed_migrations!("migrations")`: the migration files, read at compile
//! time into the binary (`include_str!`, so an edited file recompiles). The
//! folder is read by the runner's own reader, so what compiles is what
//! `Migrator::from_dir` would accept.

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

pub fn expand(dir: &LitStr) -> TokenStream {
    let root = std::env::var("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let path = root.join(dir.value());
    let found = match ormlet_core::migrate::read_dir(&path) {
        Ok(found) => found,
        Err(e) => return syn::Error::new(dir.span(), e).to_compile_error(),
    };
    let items = found.iter().map(|m| {
        let (version, name, folder) = (m.version, &m.name, &m.dir);
        let text = |file: &str| {
            let path = folder.join(file);
            if path.is_file() {
                let lit = LitStr::new(&path.display().to_string(), Span::call_site());
                quote!(::std::string::String::from(::core::include_str!(#lit)))
            } else {
                quote!(::std::string::String::new())
            }
        };
        let (up, down) = (text("up.sql"), text("down.sql"));
        let scripts = m.scripts.iter().map(|s| {
            let tag = ormlet_core::migrate::file_tag(s.backend);
            let i = ormlet_core::migrate::BACKENDS.iter().position(|(b, _)| *b == s.backend).unwrap_or_default();
            let backend = quote!(::ormlet::migrate::BACKENDS[#i].0);
            let (up, down) = (text(&format!("up.{tag}.sql")), text(&format!("down.{tag}.sql")));
            quote!(::ormlet::migrate::BackendScripts { backend: #backend, up: #up, down: #down })
        });
        let schema = match &m.schema {
            Some(_) => {
                let file = text(ormlet_core::migrate::SCHEMA_FILE);
                quote!(::core::option::Option::Some(#file))
            }
            None => quote!(::core::option::Option::None),
        };
        let shown = LitStr::new(&folder.display().to_string(), Span::call_site());
        quote! {
            ::ormlet::migrate::Migration {
                version: #version,
                name: ::std::string::String::from(#name),
                dir: ::std::path::PathBuf::from(#shown),
                up: #up,
                down: #down,
                scripts: ::std::vec![#(#scripts),*],
                schema: #schema,
            }
        }
    });
    quote! {
        ::ormlet::migrate::Migrator::new(::std::vec![#(#items),*])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder holding `version_name/up.sql` for each pair, under the temp dir.
    fn folder(tag: &str, migrations: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ormlet-embed-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (version, name) in migrations {
            let m = dir.join(format!("{version}_{name}"));
            std::fs::create_dir_all(&m).unwrap();
            std::fs::write(m.join("up.sql"), "SELECT 1;").unwrap();
        }
        dir
    }

    #[test]
    fn duplicate_versions_do_not_compile() {
        let dir = folder("dup", &[("1", "a"), ("1", "b")]);
        let out = expand(&LitStr::new(dir.to_str().unwrap(), Span::call_site())).to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("two migrations share version 1"), "{out}");
    }

    #[test]
    fn a_folder_without_a_version_does_not_compile() {
        let dir = folder("noversion", &[("x", "a")]);
        let out = expand(&LitStr::new(dir.to_str().unwrap(), Span::call_site())).to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(out.contains("is named `<version>_<name>`"), "{out}");
    }

    #[test]
    fn migrations_embed_in_version_order() {
        let dir = folder("ok", &[("2", "second"), ("1", "first")]);
        let out = expand(&LitStr::new(dir.to_str().unwrap(), Span::call_site())).to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        let (first, second) = (out.find("\"first\"").unwrap(), out.find("\"second\"").unwrap());
        assert!(first < second, "{out}");
    }
}
