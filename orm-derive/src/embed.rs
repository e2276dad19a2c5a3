//! `embed_migrations!("migrations")`: the migration files, read at compile
//! time into the binary (`include_str!`, so an edited file recompiles).

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

fn folder_of(dir: &Path) -> Result<Vec<(i64, String, PathBuf)>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read the migrations folder {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !path.is_dir() || name.starts_with('.') {
            continue;
        }
        let (version, rest) = name
            .split_once('_')
            .and_then(|(v, n)| v.parse::<i64>().ok().map(|v| (v, n.to_owned())))
            .ok_or_else(|| format!("{}: a migration folder is named `<version>_<name>`", path.display()))?;
        if !path.join("up.sql").is_file() {
            return Err(format!("{} has no up.sql", path.display()));
        }
        out.push((version, rest, path));
    }
    out.sort_by_key(|m| m.0);
    Ok(out)
}

pub fn expand(dir: &LitStr) -> TokenStream {
    let root = std::env::var("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let path = root.join(dir.value());
    let found = match folder_of(&path) {
        Ok(found) => found,
        Err(e) => return syn::Error::new(dir.span(), e).to_compile_error(),
    };
    let items = found.iter().map(|(version, name, folder)| {
        let up = LitStr::new(&folder.join("up.sql").display().to_string(), Span::call_site());
        let down_path = folder.join("down.sql");
        let down = if down_path.is_file() {
            let lit = LitStr::new(&down_path.display().to_string(), Span::call_site());
            quote!(::std::string::String::from(::core::include_str!(#lit)))
        } else {
            quote!(::std::string::String::new())
        };
        let shown = LitStr::new(&folder.display().to_string(), Span::call_site());
        quote! {
            ::ormlet::migrate::Migration {
                version: #version,
                name: ::std::string::String::from(#name),
                dir: ::std::path::PathBuf::from(#shown),
                up: ::std::string::String::from(::core::include_str!(#up)),
                down: #down,
                checksum: ::ormlet::migrate::checksum(::core::include_str!(#up)),
            }
        }
    });
    quote! {
        ::ormlet::migrate::Migrator::new(::std::vec![#(#items),*])
    }
}
