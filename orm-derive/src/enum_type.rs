//! `#[derive(Enum)]`: a fieldless enum as a column, stored as text (the
//! variant's name, renamed) or as an integer (`repr = "i32"`). Parse and
//! check the variants, then emit one `StoredAs` impl; the rest is ormlet-core's.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

/// How the enum is stored.
enum Repr {
    Text,
    Integer(syn::Ident),
}

const RENAME_ALL: &[&str] =
    &["lowercase", "UPPERCASE", "snake_case", "SCREAMING_SNAKE_CASE", "kebab-case", "camelCase", "PascalCase"];
const INTEGERS: &[&str] = &["i8", "i16", "i32", "i64"];

pub fn derive(input: &DeriveInput) -> Result<TokenStream, Vec<syn::Error>> {
    let mut errors = Vec::new();
    let Data::Enum(data) = &input.data else {
        return Err(vec![syn::Error::new(input.ident.span(), "`Enum` is for enums whose variants have no fields")]);
    };
    let (mut repr, mut rename_all) = (Repr::Text, None::<LitStr>);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("ormlet")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let rule: LitStr = meta.value()?.parse()?;
                if !RENAME_ALL.contains(&rule.value().as_str()) {
                    return Err(meta.error(format!("unknown `rename_all` rule; use one of {}", RENAME_ALL.join(", "))));
                }
                rename_all = Some(rule);
            } else if meta.path.is_ident("repr") {
                let ty: LitStr = meta.value()?.parse()?;
                if !INTEGERS.contains(&ty.value().as_str()) {
                    return Err(meta.error(format!("`repr` is one of {}", INTEGERS.join(", "))));
                }
                repr = Repr::Integer(syn::Ident::new(&ty.value(), ty.span()));
            } else {
                return Err(meta.error("unknown attribute; `Enum` takes `rename_all = \"...\"` and `repr = \"i32\"`"));
            }
            Ok(())
        });
        errors.extend(parsed.err());
    }
    let mut variants = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            errors.push(syn::Error::new(v.fields.span(), "an `Enum` variant has no fields: it is stored as one value"));
            continue;
        }
        let mut rename = None::<LitStr>;
        for attr in v.attrs.iter().filter(|a| a.path().is_ident("ormlet")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    rename = Some(meta.value()?.parse()?);
                    Ok(())
                } else {
                    Err(meta.error("unknown attribute; a variant takes `rename = \"...\"`"))
                }
            });
            errors.extend(parsed.err());
        }
        let stored = rename.map_or_else(|| renamed(&v.ident.to_string(), rename_all.as_ref()), |r| r.value());
        variants.push((v.ident.clone(), stored));
    }
    if data.variants.is_empty() {
        errors.push(syn::Error::new(input.ident.span(), "an `Enum` needs at least one variant"));
    }
    for (i, (ident, stored)) in variants.iter().enumerate() {
        if matches!(repr, Repr::Text) && variants[..i].iter().any(|(_, s)| s == stored) {
            errors.push(syn::Error::new(ident.span(), format!("two variants are stored as {stored:?}")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(expand(input, &repr, &variants))
}

fn expand(input: &DeriveInput, repr: &Repr, variants: &[(syn::Ident, String)]) -> TokenStream {
    let name = &input.ident;
    let name_str = name.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let idents: Vec<_> = variants.iter().map(|(i, _)| i).collect();
    let body = match repr {
        Repr::Text => {
            let texts: Vec<_> = variants.iter().map(|(_, s)| s).collect();
            let expected = texts.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ");
            quote! {
                type Stored = ::std::string::String;
                const NAME: &'static str = #name_str;
                fn to_stored(&self) -> ::std::string::String {
                    ::std::string::String::from(match self { #(Self::#idents => #texts,)* })
                }
                fn from_stored(stored: ::std::string::String) -> ::std::result::Result<Self, ::std::string::String> {
                    match stored.as_str() {
                        #(#texts => ::std::result::Result::Ok(Self::#idents),)*
                        other => ::std::result::Result::Err(::std::format!("TEXT {other:?}, not one of {}", #expected)),
                    }
                }
            }
        }
        Repr::Integer(ty) => quote! {
            type Stored = #ty;
            const NAME: &'static str = #name_str;
            fn to_stored(&self) -> #ty {
                match self { #(Self::#idents => Self::#idents as #ty,)* }
            }
            fn from_stored(stored: #ty) -> ::std::result::Result<Self, ::std::string::String> {
                #(if stored == Self::#idents as #ty { return ::std::result::Result::Ok(Self::#idents); })*
                ::std::result::Result::Err(::std::format!("INTEGER {stored}, not a value of {}", #name_str))
            }
        },
    };
    quote! {
        impl #impl_generics ::ormlet::types::StoredAs for #name #ty_generics #where_clause {
            #body
        }
    }
}

/// A variant's name under a `rename_all` rule (serde's names).
fn renamed(variant: &str, rule: Option<&LitStr>) -> String {
    let words = words(variant);
    let Some(rule) = rule else { return variant.to_owned() };
    let join = |sep: &str, upper: bool| {
        words.iter().map(|w| if upper { w.to_uppercase() } else { w.to_lowercase() }).collect::<Vec<_>>().join(sep)
    };
    match rule.value().as_str() {
        "lowercase" => variant.to_lowercase(),
        "UPPERCASE" => variant.to_uppercase(),
        "snake_case" => join("_", false),
        "SCREAMING_SNAKE_CASE" => join("_", true),
        "kebab-case" => join("-", false),
        "camelCase" => {
            let mut s = String::new();
            for (i, w) in words.iter().enumerate() {
                let lower = w.to_lowercase();
                if i == 0 {
                    s.push_str(&lower);
                } else {
                    let mut c = lower.chars();
                    s.extend(c.next().map(|f| f.to_ascii_uppercase()));
                    s.extend(c);
                }
            }
            s
        }
        _ => variant.to_owned(),
    }
}

/// `OnLoan` → `["On", "Loan"]`.
fn words(ident: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in ident.chars() {
        match out.last_mut() {
            Some(w) if !c.is_uppercase() => w.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}
