//! `#[derive(Model)]` and `#[derive(FromRow)]` for [ormlet](https://docs.rs/ormlet).
//!
//! Thin by design: parse the input (`ast.rs`, `attr.rs`), check what needs
//! the whole struct (`valid.rs`), emit code (`expand.rs`). All errors are
//! collected and reported together, each at the token that caused it. The
//! logic the generated code runs lives in `ormlet-core`.

mod ast;
mod attr;
mod embed;
mod enum_type;
mod expand;
mod loaded;
mod relations;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Maps a struct with named fields to a table. See the `ormlet` crate docs
/// for the attributes.
#[proc_macro_derive(Model, attributes(ormlet))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let mut errors = Vec::new();
    let Some(model) = ast::parse(&input, "Model", &mut errors) else {
        return to_compile_errors(errors);
    };
    valid::check(&model, &mut errors);
    if !errors.is_empty() {
        return to_compile_errors(errors);
    }
    expand::model(&model).into()
}

/// Decodes a result row into a struct, field by field in order (for
/// `select(...)` of a subset of columns, or raw queries).
#[proc_macro_derive(FromRow, attributes(ormlet))]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let mut errors = Vec::new();
    let Some(model) = ast::parse(&input, "FromRow", &mut errors) else {
        return to_compile_errors(errors);
    };
    if !errors.is_empty() {
        return to_compile_errors(errors);
    }
    expand::from_row(&model).into()
}

/// Stores a fieldless enum in one column: as text, each variant by its name
/// (`#[ormlet(rename_all = "snake_case")]`, `#[ormlet(rename = "...")]` on a
/// variant), or as an integer (`#[ormlet(repr = "i32")]`, the variant's
/// discriminant). The enum then works as a field type and in filters.
#[proc_macro_derive(Enum, attributes(ormlet))]
pub fn derive_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match enum_type::derive(&input) {
        Ok(tokens) => tokens.into(),
        Err(errors) => to_compile_errors(errors),
    }
}

fn to_compile_errors(errors: Vec<syn::Error>) -> TokenStream {
    errors.into_iter().map(|e| e.to_compile_error()).collect::<proc_macro2::TokenStream>().into()
}

/// The migrations of a folder (relative to the crate's `Cargo.toml`), built
/// into the binary: `ormlet::embed_migrations!("migrations").run(&db, None).await?`
/// applies them at start-up. Gives an `ormlet::migrate::Migrator`.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let dir = parse_macro_input!(input as syn::LitStr);
    embed::expand(&dir).into()
}

/// The type of loaded rows, for a function's signature:
/// `loaded!(User, User::POSTS.with(Post::COMMENTS))` is what
/// `User::find().with(User::POSTS.with(Post::COMMENTS))` returns a row of.
/// Includes are listed as `.with(...)` takes them, in the same order; each
/// model's `…Relations` accessor trait must be reachable by the model's path.
#[proc_macro]
pub fn loaded(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as loaded::Input);
    loaded::expand(&input).into()
}
