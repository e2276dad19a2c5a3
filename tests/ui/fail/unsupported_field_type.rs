use std::collections::HashMap;

use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: i64,
    settings: HashMap<String, String>,
}

fn main() {}
