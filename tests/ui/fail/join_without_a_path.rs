use ormlet::prelude::*;

#[derive(Model, Clone)]
#[ormlet(table = "authors")]
struct Author {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    name: String,
}

#[derive(Model, Clone)]
#[ormlet(table = "books")]
struct Book {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    #[ormlet(belongs_to = Author)]
    author_id: i64,
}

#[derive(Model, Clone)]
#[ormlet(table = "members")]
struct Member {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    name: String,
}

fn main() {
    // A relation declared on a model the query does not read.
    let _ = Member::find().inner_join(Book::AUTHOR);
    // Ordering by a model that is not joined.
    let _ = Book::find().inner_join(Book::AUTHOR).order_by(Member::NAME.asc());
}
