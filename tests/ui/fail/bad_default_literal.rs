use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: i64,
    #[ormlet(default = b"raw")]
    tag: String,
    #[ormlet(default_sql = "")]
    created: String,
    #[ormlet(default = 1, default_sql = "2")]
    both: i32,
}

fn main() {}
