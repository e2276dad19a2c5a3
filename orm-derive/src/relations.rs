//! Generating relations: `belongs_to` impls and constants, the inverse
//! `has_many` / `many_to_many` constants, lazy accessors, and the accessor
//! trait for eager results (`PostRelations`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::Model;

/// One relation of the model: its name, its type, and the accessor's doc.
struct Rel {
    name: String,
    span: proc_macro2::Span,
    ty: TokenStream,
    ctor: TokenStream,
    doc: String,
}

pub fn expand(m: &Model) -> TokenStream {
    let ident = &m.ident;
    let model = ident.to_string();
    let mut out = TokenStream::new();
    let mut rels: Vec<Rel> = Vec::new();

    // One `ForeignKeyTo<T>` per target that exactly one field points at.
    let target_key = |p: &syn::Path| quote!(#p).to_string();
    let belongs: Vec<_> = m.fields.iter().enumerate().filter(|(_, f)| f.attrs.belongs_to.is_some()).collect();
    for (i, f) in &belongs {
        let (Some(target), Some(name)) = (&f.attrs.belongs_to, f.relation_name()) else { continue };
        let fi = &f.ident;
        let ty = &f.ty;
        let col = f.column();
        let upper = name.to_uppercase();
        let full = format!("{model}::{upper}");
        let fk_ty = quote_spanned!(ty.span()=> #ty);
        let target_ty = quote_spanned!(target.span()=> #target);
        out.extend(quote! {
            impl ::ormlet::__private::BelongsToField<#i> for #ident {
                type Target = #target_ty;
                type Fk = #fk_ty;
                const NAME: &'static str = #full;
                const COLUMN: &'static str = #col;
                fn fk(&self) -> &#ty {
                    &self.#fi
                }
            }
        });
        let same_target = belongs
            .iter()
            .filter(|(_, g)| g.attrs.belongs_to.as_ref().map(target_key) == Some(target_key(target)))
            .count();
        if same_target == 1 {
            out.extend(quote! {
                impl ::ormlet::__private::ForeignKeyTo<#target> for #ident {
                    const FIELD: usize = #i;
                }
            });
        }
        let field_const = format_ident!("__ORMLET_FIELD_{}", upper);
        out.extend(quote! {
            impl #ident {
                #[doc(hidden)]
                pub const #field_const: usize = #i;
            }
        });
        rels.push(Rel {
            name,
            span: f.ident.span(),
            ty: quote!(::ormlet::__private::BelongsTo<#ident, #i>),
            ctor: quote!(::ormlet::__private::BelongsTo::new()),
            doc: format!("the `{}` this row's `{col}` points at", quote!(#target).to_string().replace(' ', "")),
        });
    }

    for (name, child, via) in &m.attrs.has_many {
        let field = match via {
            None => quote_spanned!(child.span()=> { <#child as ::ormlet::__private::ForeignKeyTo<#ident>>::FIELD }),
            Some(via) => {
                let c = format_ident!("__ORMLET_FIELD_{}", via.to_string().to_uppercase(), span = via.span());
                quote_spanned!(via.span()=> { #child::#c })
            }
        };
        let full = format!("{model}::{}", name.to_string().to_uppercase());
        rels.push(Rel {
            name: name.to_string(),
            span: name.span(),
            ty: quote!(::ormlet::__private::HasMany<#child, #field>),
            ctor: quote!(::ormlet::__private::HasMany::new(#full)),
            doc: format!(
                "the `{}` rows whose foreign key points at this row",
                quote!(#child).to_string().replace(' ', "")
            ),
        });
    }

    for (name, target, join) in &m.attrs.many_to_many {
        let to_parent = quote_spanned!(join.span()=> { <#join as ::ormlet::__private::ForeignKeyTo<#ident>>::FIELD });
        let to_target =
            quote_spanned!(target.span()=> { <#join as ::ormlet::__private::ForeignKeyTo<#target>>::FIELD });
        let full = format!("{model}::{}", name.to_string().to_uppercase());
        rels.push(Rel {
            name: name.to_string(),
            span: name.span(),
            ty: quote!(::ormlet::__private::ManyToMany<#join, #to_parent, #to_target>),
            ctor: quote!(::ormlet::__private::ManyToMany::new(#full)),
            doc: format!(
                "the `{}` rows linked to this row through `{}`",
                quote!(#target).to_string().replace(' ', ""),
                quote!(#join).to_string().replace(' ', "")
            ),
        });
    }

    if rels.is_empty() {
        return out;
    }

    let consts = rels.iter().map(|r| {
        let c = format_ident!("{}", r.name.to_uppercase(), span = r.span);
        let (ty, ctor) = (&r.ty, &r.ctor);
        let doc = format!(
            "Relation to {}: load it with `.with({model}::{c})`, filter with it, or call `.{}(&db)` on a row.",
            r.doc, r.name
        );
        quote! {
            #[doc = #doc]
            pub const #c: #ty = #ctor;
        }
    });
    let lazy = rels.iter().map(|r| {
        let method = format_ident!("{}", r.name, span = r.span);
        let c = format_ident!("{}", r.name.to_uppercase(), span = r.span);
        let ty = &r.ty;
        let doc = format!(
            "Loads {} (one query). In a loop over many rows, load them all at once with `.with({model}::{c})`.",
            r.doc
        );
        quote! {
            #[doc = #doc]
            #[track_caller]
            pub fn #method<'ormlet, E: ::ormlet::__private::Executor>(
                &'ormlet self,
                db: &'ormlet E,
            ) -> E::Output<'ormlet, ::ormlet::__private::LoadRelation<'ormlet, #ty>> {
                ::ormlet::__private::load_relation(Self::#c, self, db)
            }
        }
    });
    out.extend(quote! {
        impl #ident {
            #(#consts)*
            #(#lazy)*
        }
    });

    let vis = &m.vis;
    let trait_name = format_ident!("{}Relations", ident);
    let trait_doc = format!(
        "Reads the relations of `{model}` that a query loaded with `.with(...)`, on its `Loaded` rows (no query, no `db`)."
    );
    // One trait per relation, so that reading a relation the query did not
    // load fails with an error that names its constant, not its type.
    let loaded_traits: Vec<TokenStream> = rels
        .iter()
        .map(|r| {
            let c = r.name.to_uppercase();
            let name = loaded_trait(&model, &r.name, r.span);
            let ty = &r.ty;
            let message = format!("the relation `{model}::{c}` was not loaded by this query");
            let note = format!(
                "add `.with({model}::{c})` to the query, or load it lazily with `.{}(&db)` (one query)",
                r.name
            );
            quote! {
                #[doc(hidden)]
                #[diagnostic::on_unimplemented(message = #message, label = "not loaded with `.with(...)`", note = #note)]
                #vis trait #name<OrmletIdx, OrmletOut> {
                    #[doc(hidden)]
                    fn __ormlet_related(&self) -> &OrmletOut;
                }

                #[diagnostic::do_not_recommend]
                impl<L, OrmletIdx, OrmletOut> #name<OrmletIdx, OrmletOut> for ::ormlet::__private::Loaded<#ident, L>
                where
                    L: ::ormlet::__private::With<#ident>,
                    Self: ::ormlet::__private::Related<#ty, OrmletIdx, OrmletOut>,
                {
                    fn __ormlet_related(&self) -> &OrmletOut {
                        ::ormlet::__private::Related::related(self)
                    }
                }
            }
        })
        .collect();
    let sigs: Vec<TokenStream> = rels
        .iter()
        .map(|r| {
            let method = format_ident!("{}", r.name, span = r.span);
            let bound = loaded_trait(&model, &r.name, r.span);
            let doc = format!("What `.with({model}::{})` loaded: {}.", r.name.to_uppercase(), r.doc);
            quote! {
                #[doc = #doc]
                fn #method<OrmletIdx, OrmletOut>(&self) -> &OrmletOut
                where
                    Self: #bound<OrmletIdx, OrmletOut>
            }
        })
        .collect();
    // The relations' types, for `ormlet::loaded!` to name.
    let rel_consts: Vec<_> = rels.iter().map(|r| format_ident!("{}", r.name.to_uppercase(), span = r.span)).collect();
    let rel_types: Vec<_> = rels.iter().map(|r| &r.ty).collect();
    let bodies = rels.iter().map(|r| {
        let bound = loaded_trait(&model, &r.name, r.span);
        quote!({ #bound::__ormlet_related(self) })
    });
    out.extend(quote! {
        #(#loaded_traits)*

        #[doc = #trait_doc]
        #[allow(non_camel_case_types)]
        #vis trait #trait_name {
            #(
                #[doc(hidden)]
                type #rel_consts;
            )*
            #(#sigs;)*
        }

        impl<L: ::ormlet::__private::With<#ident>> #trait_name for ::ormlet::__private::Loaded<#ident, L> {
            #(type #rel_consts = #rel_types;)*
            #(#sigs #bodies)*
        }
    });
    out
}

/// The trait that proves a query loaded one relation (`PostAuthorLoaded`).
fn loaded_trait(model: &str, relation: &str, span: proc_macro2::Span) -> syn::Ident {
    let camel: String = relation
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect();
    format_ident!("{model}{camel}Loaded", span = span)
}

/// `ForeignKeyMeta` entries for the model's static metadata.
pub fn foreign_keys(m: &Model) -> Vec<TokenStream> {
    m.fields
        .iter()
        .filter_map(|f| {
            let target = f.attrs.belongs_to.as_ref()?;
            let col = f.column();
            let action = |a: &Option<(proc_macro2::Span, crate::attr::Action)>| match a.map(|(_, a)| a) {
                Some(crate::attr::Action::Cascade) => {
                    quote!(::core::option::Option::Some(::ormlet::__private::ReferentialAction::Cascade))
                }
                Some(crate::attr::Action::SetNull) => {
                    quote!(::core::option::Option::Some(::ormlet::__private::ReferentialAction::SetNull))
                }
                Some(crate::attr::Action::SetDefault) => {
                    quote!(::core::option::Option::Some(::ormlet::__private::ReferentialAction::SetDefault))
                }
                Some(crate::attr::Action::Refuse) | None => quote!(::core::option::Option::None),
            };
            let (on_delete, on_update) = (action(&f.attrs.on_delete), action(&f.attrs.on_update));
            Some(quote! {
                ::ormlet::__private::ForeignKeyMeta {
                    column: #col,
                    target: <#target as ::ormlet::__private::Model>::meta,
                    on_delete: #on_delete,
                    on_update: #on_update,
                }
            })
        })
        .collect()
}
