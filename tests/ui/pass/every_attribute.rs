use ormlet::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "accounts", index(region, name), unique(region, email))]
pub struct Account {
    #[ormlet(primary_key)]
    pub id: Auto<i32>,
    #[ormlet(unique)]
    pub email: String,
    #[ormlet(column = "display_name", index)]
    pub name: String,
    pub region: String,
    #[ormlet(default = 0)]
    pub logins: i64,
    #[ormlet(default = 1.5)]
    pub ratio: f64,
    #[ormlet(default = true)]
    pub active: bool,
    #[ormlet(default = "free")]
    pub plan: String,
    #[ormlet(default_sql = "CURRENT_TIMESTAMP")]
    pub created: Option<String>,
    pub avatar: Option<Vec<u8>>,
    #[ormlet(skip)]
    pub session: Option<String>,
    pub r#type: Option<String>,
}

#[derive(Model, Debug)]
struct Membership {
    #[ormlet(primary_key)]
    account_id: i32,
    #[ormlet(primary_key)]
    group: String,
}

#[derive(FromRow, Debug)]
struct NameOnly {
    name: String,
}

fn main() {
    let db = ormlet::sqlite::Db::connect("sqlite::memory:").unwrap();
    db.create_table::<Account>().unwrap();
    db.create_table::<Membership>().unwrap();
    let _: Vec<NameOnly> = Account::find().select(Account::NAME).into_row().all(&db).unwrap();
    let _ = Account::find().filter(Account::TYPE.eq("admin").or(Account::LOGINS.gt(3))).count(&db).unwrap();
    let _ = Membership::get(&db, (1, "g".to_string()));
}
