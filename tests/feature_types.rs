//! chrono, uuid and JSON columns round-trip (features `chrono`, `uuid`, `json`).

use ormlet::prelude::*;
use ormlet::sqlite::Db;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Prefs {
    theme: String,
    sizes: Vec<u32>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "events")]
struct Event {
    #[ormlet(primary_key)]
    id: uuid::Uuid,
    date: chrono::NaiveDate,
    time: chrono::NaiveTime,
    datetime: chrono::NaiveDateTime,
    utc: chrono::DateTime<chrono::Utc>,
    payload: serde_json::Value,
    maybe_when: Option<chrono::NaiveDateTime>,
    maybe_ref: Option<uuid::Uuid>,
    #[ormlet(json)]
    prefs: Prefs,
    #[ormlet(json)]
    tags: Vec<String>,
}

fn sample(n: u128) -> Event {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let time = chrono::NaiveTime::from_hms_micro_opt(23, 59, 58, 123_456).unwrap();
    Event {
        id: uuid::Uuid::from_u128(n),
        date,
        time,
        datetime: date.and_time(time),
        utc: date.and_time(time).and_utc(),
        payload: serde_json::json!({"a": [1, 2, {"b": null}], "c": "d'\"e"}),
        maybe_when: None,
        maybe_ref: None,
        prefs: Prefs { theme: "dark".into(), sizes: vec![1, 2] },
        tags: vec!["x".into(), "y z".into()],
    }
}

#[test]
fn feature_types_round_trip() -> ormlet::Result<()> {
    let db = Db::connect("sqlite::memory:")?;
    db.create_table::<Event>()?;
    let mut a = sample(1);
    a.insert(&db)?;
    let mut b = sample(u128::MAX);
    b.maybe_when = Some(chrono::NaiveDate::MIN.and_hms_opt(0, 0, 0).unwrap());
    b.maybe_ref = Some(uuid::Uuid::nil());
    b.utc = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    b.insert(&db)?;
    assert_eq!(Event::get(&db, a.id)?, a);
    assert_eq!(Event::get(&db, b.id)?, b);
    Ok(())
}

#[test]
fn feature_types_filter_and_order() -> ormlet::Result<()> {
    let db = Db::connect("sqlite::memory:")?;
    db.create_table::<Event>()?;
    for i in 0..5u32 {
        let mut e = sample(u128::from(i) + 10);
        e.date = e.date + chrono::Days::new(u64::from(i));
        e.utc += chrono::Duration::hours(i64::from(i));
        e.insert(&db)?;
    }
    let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    assert_eq!(Event::find().filter(Event::DATE.ge(d)).count(&db)?, 3);
    let latest = Event::find().order_by(Event::UTC.desc()).one(&db)?;
    assert_eq!(latest.id, uuid::Uuid::from_u128(14));
    assert_eq!(Event::find().filter(Event::ID.eq(uuid::Uuid::from_u128(12))).count(&db)?, 1);
    assert_eq!(Event::find().filter(Event::MAYBE_REF.is_null()).count(&db)?, 5);
    Ok(())
}
