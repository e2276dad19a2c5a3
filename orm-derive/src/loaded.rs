//! `loaded!(User, User::POSTS.with(Post::COMMENTS))`: the type of the rows
//! that `User::find().with(User::POSTS.with(Post::COMMENTS))` returns, so a
//! function can name it. Relation constants are values; their types come
//! from the associated types the derive puts on each model's accessor trait
//! (`UserRelations::POSTS`), found next to the model's path.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Path, Token};

/// The macro's input: a model, then the includes as `.with(...)` takes them.
pub struct Input {
    model: syn::Type,
    includes: Vec<Include>,
}

/// `Model::RELATION`, then any `.with(inner)` calls on it.
struct Include {
    relation: Path,
    nested: Vec<Include>,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let model: syn::Type = input.parse()?;
        let mut includes = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            includes.push(input.parse()?);
        }
        Ok(Input { model, includes })
    }
}

impl Parse for Include {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let relation: Path = input.parse()?;
        if relation.segments.len() < 2 {
            return Err(syn::Error::new_spanned(&relation, "expected a relation constant such as `User::POSTS`"));
        }
        let mut nested = Vec::new();
        while input.peek(Token![.]) {
            input.parse::<Token![.]>()?;
            let method: syn::Ident = input.parse()?;
            if method != "with" {
                return Err(syn::Error::new(method.span(), "only `.with(...)` can follow a relation here"));
            }
            let args;
            syn::parenthesized!(args in input);
            let inner = Punctuated::<Include, Token![,]>::parse_terminated(&args)?;
            nested.extend(inner);
        }
        Ok(Include { relation, nested })
    }
}

pub fn expand(input: &Input) -> TokenStream {
    let model = &input.model;
    let list = with_list(&input.includes);
    quote!(::ormlet::Loaded<#model, #list>)
}

/// `(Last, (.., (First, ())))`: each `.with(..)` puts its include in front.
fn with_list(includes: &[Include]) -> TokenStream {
    includes.iter().fold(quote!(()), |rest, include| {
        let ty = include_type(include);
        quote!((#ty, #rest))
    })
}

fn include_type(include: &Include) -> TokenStream {
    let relation = relation_type(&include.relation);
    if include.nested.is_empty() {
        relation
    } else {
        let list = with_list(&include.nested);
        quote!(::ormlet::relation::Nested<#relation, #list>)
    }
}

/// `a::User::POSTS` → `<Loaded<a::User, ()> as a::UserRelations>::POSTS`.
fn relation_type(path: &Path) -> TokenStream {
    let mut model = path.clone();
    let constant = model.segments.pop().expect("checked: two segments or more").into_value().ident;
    let model = model_path(model);
    let model_name = &model.segments.last().expect("checked: two segments or more").ident;
    let mut accessor = model.clone();
    let last = accessor.segments.last_mut().expect("checked: two segments or more");
    last.ident = format_ident!("{}Relations", model_name, span = model_name.span());
    quote!(<::ormlet::Loaded<#model, ()> as #accessor>::#constant)
}

/// The model's path without the trailing `::` that popping left behind.
fn model_path(mut path: Path) -> Path {
    if let Some(last) = path.segments.pop() {
        path.segments.push_value(last.into_value());
    }
    path
}
