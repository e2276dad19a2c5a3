//! chrono, uuid and JSON columns round-trip on SQLite with the widest dates
//! (features `chrono`, `uuid`, `json`; the model is the suite's).

mod suite;

use ormlet::prelude::*;
use ormlet::sqlite::Db;
use suite::feature_types::{Event, sample};

#[test]
fn feature_types_round_trip() -> ormlet::Result<()> {
    let db = Db::connect("sqlite::memory:")?;
    db.create_table::<Event>()?;
    let mut a = sample(1);
    a.insert(&db)?;
    let mut b = sample(u128::MAX);
    b.maybe_when = Some(chrono::NaiveDate::MIN.and_hms_opt(0, 0, 0).unwrap());
    b.maybe_ref = Some(uuid::Uuid::nil());
    // Stored to the microsecond, as on every backend.
    b.utc = chrono::SubsecRound::trunc_subsecs(chrono::DateTime::<chrono::Utc>::MAX_UTC, 6);
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
