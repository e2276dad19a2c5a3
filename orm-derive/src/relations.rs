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
    let sigs: Vec<TokenStream> = rels
        .iter()
        .map(|r| {
            let method = format_ident!("{}", r.name, span = r.span);
            let ty = &r.ty;
            let doc = format!("What `.with({model}::{})` loaded: {}.", r.name.to_uppercase(), r.doc);
            quote! {
                #[doc = #doc]
                fn #method<OrmletIdx>(&self) -> &<Self as ::ormlet::__private::Related<#ty, OrmletIdx>>::Out
                where
                    Self: ::ormlet::__private::Related<#ty, OrmletIdx>
            }
        })
        .collect();
    out.extend(quote! {
        #[doc = #trait_doc]
        #vis trait #trait_name {
            #(#sigs;)*
        }

        impl<L: ::ormlet::__private::With<#ident>> #trait_name for ::ormlet::__private::Loaded<#ident, L> {
            #(#sigs { ::ormlet::__private::Related::related(self) })*
        }
    });
    out
}

/// `ForeignKeyMeta` entries for the model's static metadata.
pub fn foreign_keys(m: &Model) -> Vec<TokenStream> {
    m.fields
        .iter()
        .filter_map(|f| {
            let target = f.attrs.belongs_to.as_ref()?;
            let col = f.column();
            Some(quote! {
                ::ormlet::__private::ForeignKeyMeta {
                    column: #col,
                    target: <#target as ::ormlet::__private::Model>::meta,
                }
            })
        })
        .collect()
}
