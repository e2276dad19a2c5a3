use ormlet::prelude::*;

#[derive(Model)]
#[ormlet(table = "books")]
struct Book {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    title: String,
    copies: i64,
}

fn main() {
    // Arithmetic on text.
    let _ = Book::find().filter((Book::TITLE + 1).eq("x"));
    // A number compared with a text column.
    let _ = Book::find().filter(Book::COPIES.eq(Book::TITLE));
    // A computed number stored in a text column.
    let _ = Book::update_where(Book::ID.eq(1), [Book::TITLE.set(Book::COPIES * 2)]);
}
