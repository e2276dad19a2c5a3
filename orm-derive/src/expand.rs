//! Generating the `Model` and `FromRow` impls. Generated code names only
//! `::ormlet::__private` paths.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Lit, Type};

use crate::ast::{Field, Model};

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn const_name(f: &Field) -> syn::Ident {
    format_ident!("{}", f.name().to_uppercase(), span = f.ident.span())
}

/// The type a column constant carries: `T` for `Auto<T>`, `Json<T>` for JSON fields.
fn column_type(f: &Field) -> TokenStream {
    let ty = &f.ty;
    if let Some(inner) = &f.auto_inner {
        quote!(#inner)
    } else if f.attrs.json.is_some() {
        quote!(::ormlet::__private::Json<#ty>)
    } else {
        quote!(#ty)
    }
}

fn default_tokens(f: &Field) -> TokenStream {
    if let Some(sql) = &f.attrs.default_sql {
        return quote!(::core::option::Option::Some(::ormlet::__private::DefaultValue::Sql(#sql)));
    }
    match &f.attrs.default {
        Some(Lit::Int(i)) => {
            let v = i.base10_digits();
            let lit: TokenStream = v.parse().unwrap_or_default();
            quote!(::core::option::Option::Some(::ormlet::__private::DefaultValue::Int(#lit)))
        }
        Some(Lit::Float(x)) => {
            let lit: TokenStream = x.base10_digits().parse().unwrap_or_default();
            quote!(::core::option::Option::Some(::ormlet::__private::DefaultValue::Float(#lit)))
        }
        Some(Lit::Bool(b)) => {
            quote!(::core::option::Option::Some(::ormlet::__private::DefaultValue::Bool(#b)))
        }
        Some(Lit::Str(s)) => {
            quote!(::core::option::Option::Some(::ormlet::__private::DefaultValue::Text(#s)))
        }
        _ => quote!(::core::option::Option::None),
    }
}

/// Compile-time checks placed at the offending tokens: the field's type must
/// be a column type, and a `default` must fit it.
fn type_checks(f: &Field) -> TokenStream {
    let ty = &f.ty;
    let mut out = TokenStream::new();
    if f.attrs.json.is_none() {
        out.extend(quote_spanned! {ty.span()=> ::ormlet::__private::assert_field_type::<#ty>(); });
    }
    if let Some(lit) = &f.attrs.default {
        let typed = match lit {
            Lit::Int(i) => {
                let digits: TokenStream = format!("{}i64", i.base10_digits()).parse().unwrap_or_default();
                quote_spanned!(lit.span()=> #digits)
            }
            Lit::Float(x) => {
                let digits: TokenStream = format!("{}f64", x.base10_digits()).parse().unwrap_or_default();
                quote_spanned!(lit.span()=> #digits)
            }
            other => quote!(#other),
        };
        out.extend(quote_spanned! {lit.span()=> ::ormlet::__private::check_default::<#ty, _>(&#typed); });
    }
    out
}

pub fn model(m: &Model) -> TokenStream {
    let ident = &m.ident;
    let name = ident.to_string();
    let table = m.attrs.table.as_ref().map_or_else(|| snake(&name), syn::LitStr::value);
    let stored: Vec<&Field> = m.fields.iter().filter(|f| f.is_stored()).collect();
    let keys: Vec<&Field> = stored.iter().copied().filter(|f| f.is_key()).collect();

    let consts = stored.iter().map(|f| {
        let c = const_name(f);
        let ty = column_type(f);
        let col = f.column();
        let doc = format!("The `{col}` column.");
        quote! {
            #[doc = #doc]
            pub const #c: ::ormlet::__private::Column<#ident, #ty> = ::ormlet::__private::Column::new(#table, #col);
        }
    });

    let column_metas = stored.iter().map(|f| {
        let col = f.column();
        let field = f.name();
        let ty = &f.ty;
        let meta_ty = if f.attrs.json.is_some() { quote!(::ormlet::__private::Json<#ty>) } else { quote!(#ty) };
        let pk = f.is_key();
        let auto = f.auto_inner.is_some();
        let unique = f.attrs.unique.is_some();
        let default = default_tokens(f);
        quote! {
            ::ormlet::__private::ColumnMeta {
                name: #col,
                field: #field,
                sql_type: <#meta_ty as ::ormlet::__private::FieldType>::SQL_TYPE,
                nullable: <#meta_ty as ::ormlet::__private::FieldType>::NULLABLE,
                primary_key: #pk,
                auto_increment: #auto,
                unique: #unique,
                default: #default,
            }
        }
    });

    let mut indexes: Vec<TokenStream> = stored
        .iter()
        .filter(|f| f.attrs.index.is_some())
        .map(|f| {
            let col = f.column();
            let iname = format!("idx_{table}_{col}");
            quote!(::ormlet::__private::IndexMeta {
                name: #iname,
                columns: &[#col],
                unique: false,
                where_clause: ::core::option::Option::None,
            })
        })
        .collect();
    for index in &m.attrs.indexes {
        let cols: Vec<String> =
            index.fields.iter().filter_map(|n| m.fields.iter().find(|f| f.ident == *n).map(Field::column)).collect();
        let unique = index.unique;
        let iname = match &index.name {
            Some(name) => name.value(),
            None => format!("{}_{table}_{}", if unique { "uq" } else { "idx" }, cols.join("_")),
        };
        let where_clause = match &index.where_clause {
            Some(w) => quote!(::core::option::Option::Some(#w)),
            None => quote!(::core::option::Option::None),
        };
        indexes.push(quote!(::ormlet::__private::IndexMeta {
            name: #iname,
            columns: &[#(#cols),*],
            unique: #unique,
            where_clause: #where_clause,
        }));
    }

    let check_constraints = m.attrs.checks.iter().map(|(name, condition)| {
        let name = name.to_string();
        quote!(::ormlet::__private::CheckMeta { name: #name, condition: #condition })
    });

    let renamed = stored.iter().filter_map(|f| {
        let was = f.attrs.renamed_from.as_ref()?;
        let col = f.column();
        Some(quote!((#col, #was)))
    });

    // Spanned at the field's type, so an unsupported type reports there.
    let bind = |f: &&Field| {
        let fi = &f.ident;
        let col = f.column();
        if f.attrs.json.is_some() {
            quote_spanned!(f.ty.span()=> b.bind_json(&self.#fi, #col)?;)
        } else {
            quote_spanned!(f.ty.span()=> b.bind(&self.#fi, #col)?;)
        }
    };
    let bind_insert = stored.iter().filter(|f| f.auto_inner.is_none()).map(bind);
    let bind_update = stored.iter().filter(|f| !f.is_key()).map(bind);

    let (key_ty, key_expr, set_key) = key_parts(&keys, &name);

    let reads = m.fields.iter().map(|f| {
        let fi = &f.ident;
        let col = f.column();
        if !f.is_stored() {
            quote!(#fi: ::core::default::Default::default())
        } else if f.attrs.json.is_some() {
            quote_spanned!(f.ty.span()=> #fi: row.read_json(#name, #col)?)
        } else {
            quote_spanned!(f.ty.span()=> #fi: row.read(#name, #col)?)
        }
    });
    let checks = stored.iter().copied().map(type_checks);
    let foreign_keys = crate::relations::foreign_keys(m);
    let relations = crate::relations::expand(m);

    quote! {
        #relations

        impl #ident {
            #(#consts)*
        }

        const _: () = {
            #(#checks)*
        };

        impl ::ormlet::__private::Model for #ident {
            type Key = #key_ty;

            fn meta() -> &'static ::ormlet::__private::ModelMeta {
                static META: ::ormlet::__private::ModelMeta = ::ormlet::__private::ModelMeta {
                    name: #name,
                    table: #table,
                    columns: &[#(#column_metas),*],
                    indexes: &[#(#indexes),*],
                    foreign_keys: &[#(#foreign_keys),*],
                    checks: &[#(#check_constraints),*],
                    renamed_columns: &[#(#renamed),*],
                };
                &META
            }

            fn __sql_cache() -> &'static ::ormlet::__private::ModelSql {
                static SQL: ::ormlet::__private::ModelSql = ::ormlet::__private::ModelSql::new();
                &SQL
            }

            fn __bind_insert<B: ::ormlet::__private::Binder>(&self, b: &mut B) -> ::ormlet::__private::Result<()> {
                #(#bind_insert)*
                ::core::result::Result::Ok(())
            }

            fn __bind_update<B: ::ormlet::__private::Binder>(&self, b: &mut B) -> ::ormlet::__private::Result<()> {
                #(#bind_update)*
                ::core::result::Result::Ok(())
            }

            fn __key(&self, operation: &'static str) -> ::ormlet::__private::Result<Self::Key> {
                #key_expr
            }

            fn __set_generated_key(&mut self, key: i64) -> ::ormlet::__private::Result<()> {
                #set_key
            }
        }

        impl ::ormlet::__private::FromRow for #ident {
            #[inline]
            fn from_row<R: ::ormlet::__private::RowReader>(row: &mut R) -> ::ormlet::__private::Result<Self> {
                ::core::result::Result::Ok(#ident { #(#reads),* })
            }

            fn from_row_optional<R: ::ormlet::__private::RowReader>(
                row: &mut R,
            ) -> ::ormlet::__private::Result<::core::option::Option<Self>> {
                ::ormlet::__private::optional_model(row)
            }
        }
    }
}

fn key_parts(keys: &[&Field], model: &str) -> (TokenStream, TokenStream, TokenStream) {
    let no_generated = quote! { let _ = key; ::core::result::Result::Ok(()) };
    match keys {
        [] => (quote!(()), quote!(::core::result::Result::Ok(())), no_generated),
        [k] => {
            let fi = &k.ident;
            let col = k.column();
            match &k.auto_inner {
                Some(inner) => (
                    quote!(#inner),
                    quote!(::ormlet::__private::auto_key(&self.#fi, #model, operation)),
                    quote! {
                        self.#fi = ::ormlet::__private::generated_key(key, #model, #col)?;
                        ::core::result::Result::Ok(())
                    },
                ),
                None => {
                    let ty = &k.ty;
                    (
                        quote!(#ty),
                        quote! { let _ = operation; ::core::result::Result::Ok(::core::clone::Clone::clone(&self.#fi)) },
                        no_generated,
                    )
                }
            }
        }
        many => {
            let tys: Vec<&Type> = many.iter().map(|k| &k.ty).collect();
            let fis = many.iter().map(|k| &k.ident);
            (
                quote!((#(#tys,)*)),
                quote! { let _ = operation; ::core::result::Result::Ok((#(::core::clone::Clone::clone(&self.#fis),)*)) },
                no_generated,
            )
        }
    }
}

/// `#[derive(FromRow)]`: fields decoded in order from consecutive columns.
pub fn from_row(m: &Model) -> TokenStream {
    let ident = &m.ident;
    let name = ident.to_string();
    let reads = m.fields.iter().map(|f| {
        let fi = &f.ident;
        let field = f.name();
        if f.is_stored() {
            quote!(#fi: row.read(#name, #field)?)
        } else {
            quote!(#fi: ::core::default::Default::default())
        }
    });
    let checks = m.fields.iter().filter(|f| f.is_stored()).map(type_checks);
    quote! {
        const _: () = {
            #(#checks)*
        };

        impl ::ormlet::__private::FromRow for #ident {
            #[inline]
            fn from_row<R: ::ormlet::__private::RowReader>(row: &mut R) -> ::ormlet::__private::Result<Self> {
                ::core::result::Result::Ok(#ident { #(#reads),* })
            }
        }
    }
}
