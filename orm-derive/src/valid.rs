//! Checks that need the whole model: keys, duplicates, combinations.
//! Type checks (is this a column type? does the default fit?) are left to
//! the compiler, through assertions the expansion emits at the right spans.

use std::collections::HashMap;

use syn::Lit;

use crate::ast::Model;

pub fn check(model: &Model, errors: &mut Vec<syn::Error>) {
    let err = |errors: &mut Vec<syn::Error>, span, msg: String| errors.push(syn::Error::new(span, msg));

    if let Some(span) = model.has_generics {
        err(errors, span, "generic models are not supported: a table has one fixed set of column types".into());
    }
    if let Some(t) = &model.attrs.table
        && t.value().trim().is_empty()
    {
        err(errors, t.span(), "`table` must not be empty".into());
    }

    let keys: Vec<_> = model.fields.iter().filter(|f| f.is_key()).collect();
    if keys.is_empty() {
        err(
            errors,
            model.ident.span(),
            format!("`{}` has no primary key: mark a field with #[ormlet(primary_key)]", model.ident),
        );
    }

    let mut columns: HashMap<String, &crate::ast::Field> = HashMap::new();
    for f in &model.fields {
        let a = &f.attrs;
        if let Some(skip) = a.skip {
            for (span, what) in
                [(a.primary_key, "primary_key"), (a.unique, "unique"), (a.index, "index"), (a.json, "json")]
            {
                if let Some(span) = span {
                    err(errors, span, format!("`{what}` cannot go with `skip`: a skipped field is not a column"));
                }
            }
            if let Some(c) = &a.column {
                err(errors, c.span(), "`column` cannot go with `skip`: a skipped field is not a column".into());
            }
            if a.default.is_some() || a.default_sql.is_some() {
                err(errors, skip, "`default` cannot go with `skip`: a skipped field is not a column".into());
            }
            continue;
        }
        let column = f.column();
        if column.trim().is_empty() {
            err(errors, f.column_span(), "`column` must not be empty".into());
        }
        if let Some(first) = columns.get(&column) {
            err(errors, f.column_span(), format!("column `{column}` is already used by field `{}`", first.ident));
        } else {
            columns.insert(column, f);
        }
        if f.auto_inner.is_some() && !f.is_key() {
            err(
                errors,
                f.ident.span(),
                "`Auto<T>` is for a generated primary key: add #[ormlet(primary_key)] or use `T`".into(),
            );
        }
        if f.auto_inner.is_some() && keys.len() > 1 {
            err(errors, f.ident.span(), "a composite primary key cannot have an `Auto<T>` part".into());
        }
        if let (Some(d), Some(s)) = (&a.default, &a.default_sql) {
            err(errors, s.span(), "give either `default` or `default_sql`, not both".into());
            let _ = d;
        }
        if let Some(d) = &a.default
            && !matches!(d, Lit::Int(_) | Lit::Float(_) | Lit::Bool(_) | Lit::Str(_))
        {
            err(
                errors,
                d.span(),
                "`default` takes an integer, float, bool or string literal; for SQL use `default_sql = \"...\"`".into(),
            );
        }
        if let Some(s) = &a.default_sql
            && s.value().trim().is_empty()
        {
            err(errors, s.span(), "`default_sql` must not be empty".into());
        }
        if let (Some(span), true) = (a.json, f.is_key()) {
            err(errors, span, "a JSON column cannot be the primary key".into());
        }
    }

    relations(model, errors);

    for index in &model.attrs.indexes {
        if let Some(w) = &index.where_clause
            && w.value().trim().is_empty()
        {
            err(errors, w.span(), "`where` needs a condition, e.g. `where = \"deleted_at IS NULL\"`".to_owned());
        }
        for name in &index.fields {
            let found = model.fields.iter().find(|f| f.ident == *name);
            match found {
                None => err(errors, name.span(), format!("no field `{name}` in `{}`", model.ident)),
                Some(f) if !f.is_stored() => {
                    err(errors, name.span(), format!("field `{name}` is skipped, so it cannot be indexed"));
                }
                Some(_) => {}
            }
        }
    }
}

fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Relation names: present, valid, and not clashing with columns or each other
/// (each becomes a constant `NAME` and a method `name`).
fn relations(model: &Model, errors: &mut Vec<syn::Error>) {
    let mut taken: HashMap<String, String> = model
        .fields
        .iter()
        .filter(|f| f.is_stored())
        .map(|f| (f.name().to_uppercase(), format!("the column constant of field `{}`", f.ident)))
        .collect();
    let mut claim = |errors: &mut Vec<syn::Error>, name: &str, span, what: String| {
        if !is_ident(name) {
            errors.push(syn::Error::new(span, format!("relation name `{name}` is not a valid identifier")));
            return;
        }
        let upper = name.to_uppercase();
        if let Some(other) = taken.get(&upper) {
            errors.push(syn::Error::new(
                span,
                format!("relation `{name}` would be `{}::{upper}`, already {other}", model.ident),
            ));
        } else {
            taken.insert(upper, what);
        }
    };
    for f in &model.fields {
        let a = &f.attrs;
        let Some(target) = &a.belongs_to else {
            if let Some(r) = &a.relation {
                errors.push(syn::Error::new(
                    r.span(),
                    "`relation` names a `belongs_to` relation; add `belongs_to = Model`",
                ));
            }
            for (span, _) in a.on_delete.iter().chain(&a.on_update) {
                errors.push(syn::Error::new(
                    *span,
                    "`on_delete` and `on_update` go with a foreign key: add `belongs_to = Model`",
                ));
            }
            continue;
        };
        for (span, action) in a.on_delete.iter().chain(&a.on_update) {
            if *action == crate::attr::Action::SetNull && !is_option(&f.ty) {
                errors.push(syn::Error::new(
                    *span,
                    format!("\"set_null\" needs a nullable key: make `{}` an `Option<...>`", f.ident),
                ));
            }
            if *action == crate::attr::Action::SetDefault && a.default.is_none() && a.default_sql.is_none() {
                errors.push(syn::Error::new(
                    *span,
                    "\"set_default\" needs a default to set: add `default = ...` (a key of a row that stays)",
                ));
            }
        }
        let span = syn::spanned::Spanned::span(target);
        if a.skip.is_some() {
            errors.push(syn::Error::new(span, "`belongs_to` cannot go with `skip`: the foreign key must be a column"));
            continue;
        }
        if a.json.is_some() {
            errors.push(syn::Error::new(span, "a JSON column cannot be a foreign key"));
        }
        match f.relation_name() {
            None => errors.push(syn::Error::new(
                f.ident.span(),
                format!(
                    "name the relation: field `{}` does not end in `_id`, so write `#[ormlet(belongs_to = ..., relation = \"...\")]`",
                    f.ident
                ),
            )),
            Some(name) => {
                let at = a.relation.as_ref().map_or(f.ident.span(), syn::LitStr::span);
                claim(errors, &name, at, format!("the relation of field `{}`", f.ident));
            }
        }
    }
    for (name, _, _) in &model.attrs.has_many {
        claim(errors, &name.to_string(), name.span(), format!("the relation `{name}`"));
    }
    for (name, _, _) in &model.attrs.many_to_many {
        claim(errors, &name.to_string(), name.span(), format!("the relation `{name}`"));
    }
}

/// `Option<...>`, by its last path segment.
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}
