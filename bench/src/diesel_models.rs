//! Diesel's benchmark schema and models, as its own suite declares them.

use diesel::prelude::*;

diesel::table! {
    users (id) {
        id -> Integer,
        name -> Text,
        hair_color -> Nullable<Text>,
    }
}

diesel::table! {
    posts (id) {
        id -> Integer,
        user_id -> Integer,
        title -> Text,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    comments (id) {
        id -> Integer,
        post_id -> Integer,
        text -> Text,
    }
}

diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(posts -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, posts, comments);

#[derive(Debug, Clone, Queryable, Identifiable)]
#[diesel(table_name = users)]
pub struct DieselUser {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewUser {
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Debug, Clone, Queryable, Identifiable, Associations)]
#[diesel(belongs_to(DieselUser, foreign_key = user_id))]
#[diesel(table_name = posts)]
pub struct DieselPost {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost {
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Queryable, Identifiable, Associations)]
#[diesel(belongs_to(DieselPost, foreign_key = post_id))]
#[diesel(table_name = comments)]
pub struct DieselComment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment {
    pub post_id: i32,
    pub text: String,
}

/// Users, posts and comments loaded and grouped as Diesel's association
/// case does: three queries, `belonging_to`, `grouped_by`.
pub type Loaded = Vec<(DieselUser, Vec<(DieselPost, Vec<DieselComment>)>)>;

/// Diesel's association case on `conn` (a macro: the same code for each
/// of Diesel's connection types).
macro_rules! load_associations {
    ($conn:expr) => {{
        use diesel::prelude::*;
        use $crate::diesel_models::{DieselComment, DieselPost, DieselUser, users};
        let conn = $conn;
        let users = users::table.load::<DieselUser>(conn).expect("diesel");
        let posts = DieselPost::belonging_to(&users).load::<DieselPost>(conn).expect("diesel");
        let comments = DieselComment::belonging_to(&posts).load::<DieselComment>(conn).expect("diesel");
        let comments = comments.grouped_by(&posts);
        let posts_and_comments = posts.into_iter().zip(comments).grouped_by(&users);
        let loaded: $crate::diesel_models::Loaded = users.into_iter().zip(posts_and_comments).collect();
        loaded
    }};
}
pub(crate) use load_associations;
