use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    age: i32,
}

fn main() {
    let _ = User::find().filter(User::AGE.like("3%"));
}
