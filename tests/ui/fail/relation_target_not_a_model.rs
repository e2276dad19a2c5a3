use ormlet::prelude::*;

struct Account {
    id: i64,
}

#[derive(Model, Clone)]
struct Post {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    #[ormlet(belongs_to = Account)]
    account_id: i64,
}

fn main() {
    let _ = Account { id: 1 }.id;
}
