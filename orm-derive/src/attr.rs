//! Parsing `#[ormlet(...)]` attributes into plain values, with spans.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Lit, LitStr, Token};

const STRUCT_KEYS: &[&str] = &["table", "index", "unique", "check", "has_many", "many_to_many"];
const FIELD_KEYS: &[&str] = &[
    "column",
    "primary_key",
    "unique",
    "index",
    "default",
    "default_sql",
    "skip",
    "json",
    "belongs_to",
    "relation",
    "on_delete",
    "on_update",
    "renamed_from",
];

/// Struct-level attributes.
#[derive(Default)]
pub struct StructAttrs {
    pub table: Option<LitStr>,
    /// `index(a, b)` and `unique(a, b, name = "...", where = "...")`.
    pub indexes: Vec<IndexAttr>,
    /// `has_many(posts = Post)`: (relation name, child model, `via = relation`
    /// naming the child's `belongs_to` when it has several to this model).
    pub has_many: Vec<(Ident, syn::Path, Option<Ident>)>,
    /// `check(copies_not_negative = "copies >= 0")`: (constraint name, condition).
    pub checks: Vec<(Ident, LitStr)>,
    /// `many_to_many(tags = Tag, through = ArticleTag)`: (name, target, join model).
    pub many_to_many: Vec<(Ident, syn::Path, syn::Path)>,
}

/// A struct-level `index(...)` or `unique(...)`.
pub struct IndexAttr {
    pub fields: Vec<Ident>,
    pub unique: bool,
    /// `name = "..."`: the index's name, instead of `idx_<table>_<columns>`.
    pub name: Option<LitStr>,
    /// `where = "..."`: a partial index's condition, in SQL.
    pub where_clause: Option<LitStr>,
}

/// Field-level attributes; each flag keeps the span of the word that set it.
#[derive(Default)]
pub struct FieldAttrs {
    pub column: Option<LitStr>,
    pub primary_key: Option<Span>,
    pub unique: Option<Span>,
    pub index: Option<Span>,
    pub default: Option<Lit>,
    pub default_sql: Option<LitStr>,
    pub skip: Option<Span>,
    pub json: Option<Span>,
    /// `belongs_to = User`.
    pub belongs_to: Option<syn::Path>,
    /// `relation = "author"`: the relation's name, when not the field's minus `_id`.
    pub relation: Option<LitStr>,
    /// `renamed_from = "old"`: the column's previous name, for a migration to rename it.
    pub renamed_from: Option<LitStr>,
    /// `on_delete = "cascade"`, with `belongs_to`.
    pub on_delete: Option<(Span, Action)>,
    /// `on_update = "cascade"`, with `belongs_to`.
    pub on_update: Option<(Span, Action)>,
}

/// A foreign key's `on_delete` / `on_update`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Cascade,
    SetNull,
    /// `set_default`: the column's `default` (SQLite and PostgreSQL).
    SetDefault,
    /// `restrict` / `no_action`: refuse, the default.
    Refuse,
}

fn is_ormlet(attr: &Attribute) -> bool {
    attr.path().is_ident("ormlet")
}

/// A typo gets a suggestion: the known key at edit distance 2 or less.
fn suggestion(word: &str, known: &[&str]) -> String {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    known
        .iter()
        .map(|k| (distance(word, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

fn unknown(key: &Ident, here: &[&str], other: &[&str], place: &str, other_place: &str) -> syn::Error {
    let word = key.to_string();
    if other.contains(&word.as_str()) && !here.contains(&word.as_str()) {
        return syn::Error::new(key.span(), format!("`{word}` goes on {other_place}, not on {place}"));
    }
    syn::Error::new(
        key.span(),
        format!(
            "unknown ormlet attribute `{word}` on {place}{}; expected one of: {}",
            suggestion(&word, here),
            here.join(", ")
        ),
    )
}

fn set_once<T>(slot: &mut Option<T>, value: T, key: &Ident, errors: &mut Vec<syn::Error>) {
    if slot.is_some() {
        errors.push(syn::Error::new(key.span(), format!("`{key}` is given twice")));
    } else {
        *slot = Some(value);
    }
}

/// Calls `f` with each key of every `#[ormlet(...)]` attribute; a parse
/// error is collected and the next attribute is read.
fn each_key(
    attrs: &[Attribute],
    errors: &mut Vec<syn::Error>,
    mut f: impl FnMut(Ident, &syn::meta::ParseNestedMeta<'_>, &mut Vec<syn::Error>) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|a| is_ormlet(a)) {
        let mut found = Vec::new();
        let parsed = attr.parse_nested_meta(|meta| {
            let Some(key) = meta.path.get_ident().cloned() else {
                return Err(meta.error("expected an attribute name"));
            };
            f(key, &meta, &mut found)
        });
        errors.extend(found);
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
}

pub fn struct_attrs(attrs: &[Attribute], errors: &mut Vec<syn::Error>) -> StructAttrs {
    let mut out = StructAttrs::default();
    each_key(attrs, errors, |key, meta, errors| {
        match key.to_string().as_str() {
            "table" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut out.table, lit, &key, errors);
            }
            k @ ("index" | "unique") => {
                if !meta.input.peek(syn::token::Paren) {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("on the struct, `{k}` lists fields: `#[ormlet({k}(field_a, field_b))]`"),
                    ));
                }
                let content;
                syn::parenthesized!(content in meta.input);
                let mut index = IndexAttr { fields: Vec::new(), unique: k == "unique", name: None, where_clause: None };
                while !content.is_empty() {
                    let word = content.call(Ident::parse_any_ident)?;
                    if content.peek(Token![=]) {
                        content.parse::<Token![=]>()?;
                        let value: LitStr = content.parse()?;
                        match word.to_string().as_str() {
                            "name" => set_once(&mut index.name, value, &word, errors),
                            "where" => set_once(&mut index.where_clause, value, &word, errors),
                            other => {
                                return Err(syn::Error::new(
                                    word.span(),
                                    format!(
                                        "`{other} = ...` is not an index option: `name = \"...\"` or `where = \"...\"`"
                                    ),
                                ));
                            }
                        }
                    } else {
                        index.fields.push(word);
                    }
                    if !content.is_empty() {
                        content.parse::<Token![,]>()?;
                    }
                }
                if index.fields.is_empty() {
                    return Err(syn::Error::new(key.span(), format!("`{k}(...)` needs at least one field")));
                }
                out.indexes.push(index);
            }
            "check" => {
                let example = "check(copies_not_negative = \"copies >= 0\")";
                if !meta.input.peek(syn::token::Paren) {
                    return Err(syn::Error::new(key.span(), format!("`check` names its constraints: `{example}`")));
                }
                let content;
                syn::parenthesized!(content in meta.input);
                while !content.is_empty() {
                    let name = content.call(Ident::parse_any_ident)?;
                    content
                        .parse::<Token![=]>()
                        .map_err(|e| syn::Error::new(e.span(), format!("write `{example}`")))?;
                    let condition: LitStr = content.parse()?;
                    if condition.value().trim().is_empty() {
                        errors
                            .push(syn::Error::new(condition.span(), format!("`check` needs a condition: `{example}`")));
                    }
                    out.checks.push((name, condition));
                    if !content.is_empty() {
                        content.parse::<Token![,]>()?;
                    }
                }
            }
            "has_many" => {
                for (name, target) in relation_list(&key, meta, "has_many(posts = Post)")? {
                    if name == "via" {
                        let Some(last) = out.has_many.last_mut().filter(|l| l.2.is_none()) else {
                            return Err(syn::Error::new(
                                name.span(),
                                "`via = relation` follows the relation it names: `has_many(posts = Post, via = author)`",
                            ));
                        };
                        let via = target.get_ident().cloned().ok_or_else(|| {
                            syn::Error::new(target.span(), "`via` takes the name of the child's `belongs_to` relation")
                        })?;
                        last.2 = Some(via);
                    } else {
                        out.has_many.push((name, target, None));
                    }
                }
            }
            "many_to_many" => {
                let example = "many_to_many(tags = Tag, through = ArticleTag)";
                let mut pairs = relation_list(&key, meta, example)?.into_iter();
                let (Some((name, target)), Some((through, join)), None) = (pairs.next(), pairs.next(), pairs.next())
                else {
                    return Err(syn::Error::new(key.span(), format!("write `{example}`")));
                };
                if through != "through" {
                    return Err(syn::Error::new(
                        through.span(),
                        format!("expected `through = JoinModel`: `{example}`"),
                    ));
                }
                out.many_to_many.push((name, target, join));
            }
            _ => {
                errors.push(unknown(&key, STRUCT_KEYS, FIELD_KEYS, "a struct", "a field"));
                skip_value(meta)?;
            }
        }
        Ok(())
    });
    out
}

pub fn field_attrs(attrs: &[Attribute], errors: &mut Vec<syn::Error>) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    each_key(attrs, errors, |key, meta, errors| {
        let span = key.span();
        match key.to_string().as_str() {
            "column" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut out.column, lit, &key, errors);
            }
            "primary_key" => set_once(&mut out.primary_key, span, &key, errors),
            "unique" => set_once(&mut out.unique, span, &key, errors),
            "index" => set_once(&mut out.index, span, &key, errors),
            "skip" => set_once(&mut out.skip, span, &key, errors),
            "json" => set_once(&mut out.json, span, &key, errors),
            "default" => {
                let value = meta.value().map_err(|_| {
                    syn::Error::new(
                        span,
                        "`default` needs a literal: `default = 0`, `default = \"text\"`, `default = true`",
                    )
                })?;
                let lit: Lit = value.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`default` must be a literal; for a SQL expression use `default_sql = \"...\"`",
                    )
                })?;
                set_once(&mut out.default, lit, &key, errors);
            }
            "default_sql" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut out.default_sql, lit, &key, errors);
            }
            "belongs_to" => {
                let value = meta.value().map_err(|_| {
                    syn::Error::new(span, "`belongs_to` names the model the key points at: `belongs_to = User`")
                })?;
                let path: syn::Path = value.parse()?;
                set_once(&mut out.belongs_to, path, &key, errors);
            }
            "relation" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut out.relation, lit, &key, errors);
            }
            "renamed_from" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut out.renamed_from, lit, &key, errors);
            }
            k @ ("on_delete" | "on_update") => {
                let lit: LitStr = meta.value()?.parse()?;
                let action = match lit.value().to_ascii_lowercase().replace(' ', "_").as_str() {
                    "cascade" => Action::Cascade,
                    "set_null" => Action::SetNull,
                    "set_default" => Action::SetDefault,
                    "restrict" | "no_action" => Action::Refuse,
                    _ => {
                        return Err(syn::Error::new(
                            lit.span(),
                            format!(
                                "`{k}` is \"cascade\", \"set_null\", \"set_default\" or \"restrict\" (the default)"
                            ),
                        ));
                    }
                };
                let slot = if k == "on_delete" { &mut out.on_delete } else { &mut out.on_update };
                set_once(slot, (lit.span(), action), &key, errors);
            }
            _ => {
                errors.push(unknown(&key, FIELD_KEYS, STRUCT_KEYS, "a field", "the struct"));
                skip_value(meta)?;
            }
        }
        Ok(())
    });
    out
}

/// `key(name = Path, ...)`, at least one pair.
fn relation_list(
    key: &Ident,
    meta: &syn::meta::ParseNestedMeta<'_>,
    example: &str,
) -> syn::Result<Vec<(Ident, syn::Path)>> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(syn::Error::new(key.span(), format!("write `{example}`")));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let mut out = Vec::new();
    while !content.is_empty() {
        let name = Ident::parse_any_ident(&content)?;
        content.parse::<Token![=]>()?;
        let path: syn::Path = content.parse()?;
        out.push((name, path));
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    if out.is_empty() {
        return Err(syn::Error::new(key.span(), format!("write `{example}`")));
    }
    Ok(out)
}

/// Consumes `= value` or `(...)` after a key already reported, so one
/// mistake gives one error.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

/// `Ident::parse_any` accepts keywords too (a field may be named `type`).
trait ParseAnyIdent {
    fn parse_any_ident(input: syn::parse::ParseStream<'_>) -> syn::Result<Ident>;
}

impl ParseAnyIdent for Ident {
    fn parse_any_ident(input: syn::parse::ParseStream<'_>) -> syn::Result<Ident> {
        use syn::ext::IdentExt;
        Ident::parse_any(input)
    }
}
