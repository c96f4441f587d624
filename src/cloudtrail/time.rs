//! Event times: CloudTrail's `eventTime` (RFC 3339, `2023-01-06T04:40:04Z`, sometimes with
//! milliseconds) and the `aws cloudtrail lookup-events` rendering (`2022-02-08 09:23:37+11:00`),
//! parsed into one sortable UTC instant without a date crate.
//!
//! The calendar arithmetic is Howard Hinnant's `days_from_civil` / `civil_from_days` for the
//! proleptic Gregorian calendar. Records are replayed in `eventTime` order (semantics doc §5.1),
//! so the only requirement is a total order that agrees with real time across offsets.

use std::fmt;

/// An instant in UTC: seconds since 1970-01-01T00:00:00Z plus nanoseconds. Ordered by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    secs: i64,
    nanos: u32,
}

impl UtcTime {
    /// The instant `secs` seconds and `nanos` nanoseconds after the Unix epoch; `None` when
    /// `nanos` is not below one second.
    pub fn from_unix(secs: i64, nanos: u32) -> Option<UtcTime> {
        (nanos < 1_000_000_000).then_some(UtcTime { secs, nanos })
    }

    /// Seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// The sub-second part, in nanoseconds.
    pub fn nanos(self) -> u32 {
        self.nanos
    }

    /// Parses `YYYY-MM-DD[T| ]HH:MM:SS[.fraction][Z|±HH:MM|±HHMM|±HH]`. A missing offset means
    /// UTC (CloudTrail's times are UTC). Surrounding whitespace is allowed; anything else is not.
    pub fn parse(s: &str) -> Option<UtcTime> {
        let mut p = Cursor {
            b: s.trim().as_bytes(),
            i: 0,
        };
        let year = p.digits(4)? as i64;
        p.expect(b'-')?;
        let month = p.digits(2)?;
        p.expect(b'-')?;
        let day = p.digits(2)?;
        match p.next()? {
            b'T' | b't' | b' ' => {}
            _ => return None,
        }
        let hour = p.digits(2)?;
        p.expect(b':')?;
        let minute = p.digits(2)?;
        p.expect(b':')?;
        let second = p.digits(2)?;
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut nanos = 0u32;
        if matches!(p.peek(), Some(b'.' | b',')) {
            p.i += 1;
            let start = p.i;
            while let Some(d @ b'0'..=b'9') = p.peek() {
                if p.i - start < 9 {
                    nanos = nanos * 10 + u32::from(d - b'0');
                }
                p.i += 1;
            }
            let n = p.i - start;
            if n == 0 {
                return None;
            }
            for _ in n..9 {
                nanos *= 10;
            }
        }
        let offset_secs: i64 = match p.peek() {
            None => 0,
            Some(b'Z' | b'z') => {
                p.i += 1;
                0
            }
            Some(sign @ (b'+' | b'-')) => {
                p.i += 1;
                let h = i64::from(p.digits(2)?);
                let m = if p.peek() == Some(b':') {
                    p.i += 1;
                    i64::from(p.digits(2)?)
                } else if p.peek().is_some() {
                    i64::from(p.digits(2)?)
                } else {
                    0
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let o = h * 3600 + m * 60;
                if sign == b'+' { o } else { -o }
            }
            Some(_) => return None,
        };
        if p.i != p.b.len() {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
                - offset_secs;
        Some(UtcTime { secs, nanos })
    }
}

/// RFC 3339 in UTC with a `Z`, the fraction trimmed of trailing zeros (none when whole).
impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )?;
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.next()? {
                d @ b'0'..=b'9' => v = v * 10 + u32::from(d - b'0'),
                _ => return None,
            }
        }
        Some(v)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = i64::from((m + 9) % 12); // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> UtcTime {
        UtcTime::parse(s).unwrap_or_else(|| panic!("{s} did not parse"))
    }

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(t("1970-01-01T00:00:00Z").unix_seconds(), 0);
        // `date -u -d 2023-01-06T04:40:04Z +%s`
        assert_eq!(t("2023-01-06T04:40:04Z").unix_seconds(), 1_672_980_004);
        assert_eq!(t("2000-02-29T12:00:00Z").unix_seconds(), 951_825_600);
        assert_eq!(t("1969-12-31T23:59:59Z").unix_seconds(), -1);
    }

    #[test]
    fn lookup_events_offsets_convert_to_utc() {
        // The plaso lookup-events sample: EventTime 2022-02-08 09:23:37+11:00 is the record's
        // eventTime 2022-02-07T22:23:37Z.
        assert_eq!(t("2022-02-08 09:23:37+11:00"), t("2022-02-07T22:23:37Z"));
        assert_eq!(t("2022-02-07T17:23:37-0500"), t("2022-02-07T22:23:37Z"));
        assert_eq!(t("2022-02-07 22:23:37"), t("2022-02-07T22:23:37+00:00"));
    }

    #[test]
    fn fractions_order_within_a_second() {
        let a = t("2020-09-14T00:44:23.000Z");
        let b = t("2020-09-14T00:44:23.5Z");
        assert_eq!(a, t("2020-09-14T00:44:23Z"));
        assert!(a < b);
        assert_eq!(b.nanos(), 500_000_000);
        assert_eq!(b.to_string(), "2020-09-14T00:44:23.5Z");
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "2023-01-06T04:40:04Z",
            "1999-12-31T23:59:59Z",
            "2024-02-29T00:00:00Z",
            "1960-03-01T01:02:03.000004Z",
        ] {
            assert_eq!(t(s).to_string(), s);
        }
    }

    #[test]
    fn garbage_is_rejected() {
        for s in [
            "",
            "2023-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2023-01-06T24:00:00Z",
            "2023-01-06",
            "2023-01-06T04:40:04Zjunk",
            "2023-01-06T04:40:04.Z",
            "Jan 6, 2023",
        ] {
            assert!(UtcTime::parse(s).is_none(), "{s} parsed");
        }
    }
}
