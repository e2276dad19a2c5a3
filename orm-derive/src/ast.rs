//! The derive input as the macro sees it: a struct, its fields and attributes.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type};

use crate::attr::{FieldAttrs, StructAttrs, field_attrs, struct_attrs};

pub struct Model {
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub attrs: StructAttrs,
    pub fields: Vec<Field>,
    pub has_generics: Option<Span>,
}

pub struct Field {
    pub ident: Ident,
    pub ty: Type,
    /// `T` when the field's type is `Auto<T>`.
    pub auto_inner: Option<Type>,
    pub attrs: FieldAttrs,
}

impl Field {
    /// The field's name without `r#`.
    pub fn name(&self) -> String {
        let s = self.ident.to_string();
        s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
    }

    pub fn column(&self) -> String {
        self.attrs.column.as_ref().map_or_else(|| self.name(), syn::LitStr::value)
    }

    pub fn column_span(&self) -> Span {
        self.attrs.column.as_ref().map_or_else(|| self.ident.span(), syn::LitStr::span)
    }

    pub fn is_stored(&self) -> bool {
        self.attrs.skip.is_none()
    }

    pub fn is_key(&self) -> bool {
        self.attrs.primary_key.is_some()
    }

    /// The `belongs_to` relation's name: `relation = "..."`, else the
    /// field's name without `_id`.
    pub fn relation_name(&self) -> Option<String> {
        self.attrs.belongs_to.as_ref()?;
        match &self.attrs.relation {
            Some(r) => Some(r.value()),
            None => self.name().strip_suffix("_id").filter(|s| !s.is_empty()).map(str::to_owned),
        }
    }
}

/// `Auto<T>` (by last path segment, so `ormlet::Auto<T>` works too) gives `T`.
fn auto_inner(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Auto" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

pub fn parse(input: &DeriveInput, derive: &str, errors: &mut Vec<syn::Error>) -> Option<Model> {
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named,
            Fields::Unnamed(f) => {
                errors.push(syn::Error::new(
                    f.span(),
                    format!("#[derive({derive})] needs named fields: a tuple struct has no column names"),
                ));
                return None;
            }
            Fields::Unit => {
                errors.push(syn::Error::new(
                    input.ident.span(),
                    format!("#[derive({derive})] needs a struct with named fields"),
                ));
                return None;
            }
        },
        Data::Enum(e) => {
            errors.push(syn::Error::new(e.enum_token.span, format!("#[derive({derive})] works on structs, not enums")));
            return None;
        }
        Data::Union(u) => {
            errors
                .push(syn::Error::new(u.union_token.span, format!("#[derive({derive})] works on structs, not unions")));
            return None;
        }
    };
    let attrs = struct_attrs(&input.attrs, errors);
    let fields = fields
        .named
        .iter()
        .map(|f| Field {
            ident: f.ident.clone().expect("named field"),
            ty: f.ty.clone(),
            auto_inner: auto_inner(&f.ty),
            attrs: field_attrs(&f.attrs, errors),
        })
        .collect();
    let has_generics = (!input.generics.params.is_empty()).then(|| input.generics.span());
    Some(Model { ident: input.ident.clone(), vis: input.vis.clone(), attrs, fields, has_generics })
}
